/**
 * x86-64 paging modes. The entry format is the same in both; 5-level adds P4D (LA57, runtime
 * pgtable_l5_enabled()). Source: arch/x86/include/asm/pgtable_64_types.h, page_64_types.h.
 */
import type { VariantDecl } from '../api'

const pfn = {
  // PTE_PFN_MASK covers bits 12..51 (__PHYSICAL_MASK_SHIFT 52); large leaves start at 21 / 30.
  pte: { lo: 12, hi: 51 },
  pmd: { lo: 21, hi: 51 },
  pud: { lo: 30, hi: 51 },
}

export const variants: readonly VariantDecl[] = [
  {
    name: '4-level',
    description: '48-bit VA, 4 levels (P4D folded)',
    pageShift: 12,
    pmdShift: 21,
    pudShift: 30,
    pfnShift: 12,
    pfn,
    source: 'arch/x86/include/asm/pgtable_64_types.h (PMD_SHIFT 21, PUD_SHIFT 30)',
  },
  {
    name: '5-level',
    description: '57-bit VA, 5 levels (X86_FEATURE_LA57)',
    pageShift: 12,
    pmdShift: 21,
    pudShift: 30,
    pfnShift: 12,
    pfn,
    source: 'arch/x86/include/asm/pgtable_64_types.h (P4D_SHIFT 39, PGDIR_SHIFT 48 with LA57)',
  },
]
