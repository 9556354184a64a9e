/**
 * arm64 translation granules. The entry format is the same for all three; the granule moves the
 * level shifts and the low end of the output-address field. Source: arch/arm64/include/asm/pgtable-hwdef.h
 * (ARM64_HW_PGTABLE_LEVEL_SHIFT(n) = (PAGE_SHIFT - 3) * (4 - n) + 3, PTDESC_ORDER 3; PMD_SHIFT = level 2,
 * PUD_SHIFT = level 1; PTE_ADDR_LOW = bits PAGE_SHIFT..49), read in the 6.17-era Kingxukai/linux
 * snapshot 0291023e7330 (same shifts in every release the lab covers).
 *
 * Address field: a 48-bit PA (CONFIG_ARM64_PA_BITS_48) ends at bit 47. With 52-bit PA, 64K puts
 * PA[51:48] in bits 12..15 and LPA2 (4K/16K) puts PA[51:50] in bits 8..9 (PTE_ADDR_HIGH); the lab does
 * not model 52-bit PA.
 *
 * PUD leaves: Linux maps a level-1 block only with the 4K granule. pud_sect_supported() is
 * `PAGE_SIZE == SZ_4K` (arch/arm64/include/asm/pgtable.h), hugetlb only offers PUD_SIZE when it is true
 * (arch/arm64/mm/hugetlbpage.c __hugetlb_valid_size), and arm64 has no
 * HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD. With 64K, pud_sect() is hard-wired false and pud_table() true
 * (at most 3 levels). So 16K and 64K declare no pudShift and no PUD address field.
 */
import type { VariantDecl } from '../api'

const HWDEF = 'arch/arm64/include/asm/pgtable-hwdef.h'
/** Highest output-address bit with a 48-bit PA (PHYS_MASK_SHIFT 48). */
const PA_HI = 47

export const variants: readonly VariantDecl[] = [
  {
    name: '4K',
    description: '4 KiB granule: 2 MiB PMD blocks, 1 GiB PUD blocks; 3 levels (39-bit VA), 4 (48-bit), 5 (52-bit LPA2)',
    pageShift: 12,
    pmdShift: 21, // (12-3)*(4-2)+3
    pudShift: 30, // (12-3)*(4-1)+3
    pfnShift: 12,
    pfn: {
      pte: { lo: 12, hi: PA_HI },
      pmd: { lo: 21, hi: PA_HI },
      pud: { lo: 30, hi: PA_HI },
    },
    source: `${HWDEF} ARM64_HW_PGTABLE_LEVEL_SHIFT, PTE_ADDR_LOW (v6.17 snapshot); CONT_PTES 16, CONT_PMDS 16 (ARM64_CONT_PTE_SHIFT/ARM64_CONT_PMD_SHIFT 4)`,
  },
  {
    name: '16K',
    description: '16 KiB granule: 32 MiB PMD blocks; no PUD blocks in Linux (pud_sect_supported() is 4K only)',
    pageShift: 14,
    pmdShift: 25, // (14-3)*(4-2)+3
    // PUD_SHIFT would be 36 (64 GiB) with 4 levels, but Linux never maps a PUD block with 16K pages.
    pfnShift: 14,
    pfn: {
      pte: { lo: 14, hi: PA_HI },
      pmd: { lo: 25, hi: PA_HI },
    },
    source: `${HWDEF} ARM64_HW_PGTABLE_LEVEL_SHIFT, PTE_ADDR_LOW (v6.17 snapshot); arch/arm64/include/asm/pgtable.h pud_sect_supported(); CONT_PTES 128, CONT_PMDS 32`,
  },
  {
    name: '64K',
    description: '64 KiB granule: 512 MiB PMD blocks; at most 3 levels, no PUD blocks',
    pageShift: 16,
    pmdShift: 29, // (16-3)*(4-2)+3
    pfnShift: 16,
    pfn: {
      pte: { lo: 16, hi: PA_HI },
      pmd: { lo: 29, hi: PA_HI },
    },
    source: `${HWDEF} ARM64_HW_PGTABLE_LEVEL_SHIFT, PTE_ADDR_LOW (v6.17 snapshot); arch/arm64/include/asm/pgtable.h pud_sect() false / pud_table() true for CONFIG_ARM64_64K_PAGES; CONT_PTES 32, CONT_PMDS 32`,
  },
]
