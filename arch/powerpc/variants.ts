/**
 * powerpc book3s64 translation modes x base page size. The Linux PTE format is shared by hash and radix;
 * what differs is the table geometry (index sizes) and which levels may hold a leaf.
 *
 * PMD_SHIFT = PAGE_SHIFT + PTE_INDEX_SIZE and PUD_SHIFT = PMD_SHIFT + PMD_INDEX_SIZE
 * (arch/powerpc/include/asm/book3s/64/pgtable.h). Index sizes: hash-4k.h (H_PTE_INDEX_SIZE 9,
 * H_PMD_INDEX_SIZE 7), hash-64k.h (8, 10), radix-4k.h (9, 9), radix-64k.h (5, 9).
 *
 * The PFN field of every level is the RPN: PTE_RPN_MASK = ((1UL << _PAGE_PA_MAX) - 1) & PAGE_MASK with
 * _PAGE_PA_MAX 53, i.e. bits PAGE_SHIFT..52, and pfn_pte()/pfn_pmd()/pfn_pud() shift by PAGE_SHIFT. At
 * PMD/PUD level the field is declared from the level shift up (like x86 and loongarch): the kernel's
 * pmd_pfn() reads PAGE_SHIFT..52, but an aligned leaf has those low bits clear.
 *
 * Only variants with a PUD-level leaf carry pudShift: PUD THP (device DAX) is radix only
 * (has_transparent_pud_hugepage() returns 0 on hash; __pud_mkhuge()/pud_mkdevmap() BUG() on hash).
 */
import type { VariantDecl } from '../api'

const RPN_HI = 52 // _PAGE_PA_MAX (53) - 1
const PGTABLE = 'arch/powerpc/include/asm/book3s/64/pgtable.h (PMD_SHIFT, PUD_SHIFT, PTE_RPN_MASK)'

export const variants: readonly VariantDecl[] = [
  {
    name: 'radix-4k',
    description: 'Radix MMU (POWER9+), 4K pages: 2M PMD and 1G PUD leaves',
    pageShift: 12,
    pmdShift: 21, // 12 + RADIX_PTE_INDEX_SIZE 9
    pudShift: 30, // 21 + RADIX_PMD_INDEX_SIZE 9
    pfnShift: 12,
    pfn: { pte: { lo: 12, hi: RPN_HI }, pmd: { lo: 21, hi: RPN_HI }, pud: { lo: 30, hi: RPN_HI } },
    source: `arch/powerpc/include/asm/book3s/64/radix-4k.h (RADIX_PTE_INDEX_SIZE 9, RADIX_PMD_INDEX_SIZE 9); ${PGTABLE}`,
  },
  {
    name: 'radix-64k',
    description: 'Radix MMU (POWER9+), 64K pages (distribution default): 2M PMD and 1G PUD leaves',
    pageShift: 16,
    pmdShift: 21, // 16 + RADIX_PTE_INDEX_SIZE 5
    pudShift: 30, // 21 + RADIX_PMD_INDEX_SIZE 9
    pfnShift: 16,
    pfn: { pte: { lo: 16, hi: RPN_HI }, pmd: { lo: 21, hi: RPN_HI }, pud: { lo: 30, hi: RPN_HI } },
    source: `arch/powerpc/include/asm/book3s/64/radix-64k.h (RADIX_PTE_INDEX_SIZE 5, RADIX_PMD_INDEX_SIZE 9); ${PGTABLE}`,
  },
  {
    name: 'hash-4k',
    description:
      'Hash page table (HPT), 4K pages: no THP at all (hash__pmd_trans_huge() == 0, hash__pmd_mkhuge() BUG()); ' +
      '16M/16G hugetlb pages only, which DAX does not use',
    pageShift: 12,
    pmdShift: 21, // 12 + H_PTE_INDEX_SIZE 9 (PUD_SHIFT would be 21 + H_PMD_INDEX_SIZE 7 = 28)
    pfnShift: 12,
    pfn: { pte: { lo: 12, hi: RPN_HI } },
    source: `arch/powerpc/include/asm/book3s/64/hash-4k.h (H_PTE_INDEX_SIZE 9, H_PMD_INDEX_SIZE 7, hash__pmd_mkhuge BUG); ${PGTABLE}`,
  },
  {
    name: 'hash-64k',
    description: 'Hash page table (HPT), 64K pages: 16M PMD THP marked with H_PAGE_THP_HUGE; no PUD THP (16G is hugetlb only)',
    pageShift: 16,
    pmdShift: 24, // 16 + H_PTE_INDEX_SIZE 8 (16M)
    pfnShift: 16,
    pfn: { pte: { lo: 16, hi: RPN_HI }, pmd: { lo: 24, hi: RPN_HI } },
    source: `arch/powerpc/include/asm/book3s/64/hash-64k.h (H_PTE_INDEX_SIZE 8, H_PMD_INDEX_SIZE 10: PUD_SHIFT 34 = 16G); ${PGTABLE}`,
  },
]
