/**
 * riscv64 paging modes, chosen at boot (pgtable_l4_enabled / pgtable_l5_enabled). The entry format is
 * identical in all three; only the number of levels above PUD changes. Source:
 * arch/riscv/include/asm/pgtable-64.h (PGDIR_SHIFT_L3/L4/L5 30/39/48, PUD_SHIFT 30, PMD_SHIFT 21,
 * _PAGE_PFN_MASK GENMASK(53, 10)) and pgtable-bits.h (_PAGE_PFN_SHIFT 10), Kingxukai/linux 0291023e7330 /
 * 9b44fff655e2 (6.17-era; unchanged since well before 6.11).
 *
 * The PPN field is bits 10..53 at every level (pfn_pte/pfn_pmd/pfn_pud all shift by _PAGE_PFN_SHIFT);
 * a PMD or PUD leaf only needs the PFN aligned to its size. Sv39 folds the PUD into the PGD, but the
 * folded level still maps 1 GiB leaves (hugetlb, and PUD THP where enabled).
 */
import type { VariantDecl } from '../api'

const SRC = 'arch/riscv/include/asm/pgtable-64.h'
const PPN = { lo: 10, hi: 53 }
const pfn = { pte: PPN, pmd: PPN, pud: PPN }

export const variants: readonly VariantDecl[] = [
  {
    name: 'sv39',
    description: 'Sv39: 39-bit VA, 3 levels (PUD folded into PGD, PGDIR_SHIFT 30)',
    pageShift: 12,
    pmdShift: 21,
    pudShift: 30,
    pfnShift: 10,
    pfn,
    source: `${SRC} PGDIR_SHIFT_L3 30, PUD_SHIFT 30, PMD_SHIFT 21, _PAGE_PFN_MASK GENMASK(53, 10)`,
  },
  {
    name: 'sv48',
    description: 'Sv48: 48-bit VA, 4 levels (pgtable_l4_enabled, PGDIR_SHIFT 39)',
    pageShift: 12,
    pmdShift: 21,
    pudShift: 30,
    pfnShift: 10,
    pfn,
    source: `${SRC} PGDIR_SHIFT_L4 39, PUD_SHIFT 30, PMD_SHIFT 21`,
  },
  {
    name: 'sv57',
    description: 'Sv57: 57-bit VA, 5 levels (pgtable_l5_enabled, PGDIR_SHIFT 48, P4D_SHIFT 39)',
    pageShift: 12,
    pmdShift: 21,
    pudShift: 30,
    pfnShift: 10,
    pfn,
    source: `${SRC} PGDIR_SHIFT_L5 48, P4D_SHIFT_L5 39, PUD_SHIFT 30, PMD_SHIFT 21`,
  },
]
