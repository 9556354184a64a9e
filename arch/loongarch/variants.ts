/**
 * LoongArch64 base page sizes. Kconfig's "Page Table Layout" choice combines a page size with a level
 * count (4KB_3LEVEL/4KB_4LEVEL, 16KB_2LEVEL/16KB_3LEVEL (64BIT default), 64KB_2LEVEL/64KB_3LEVEL); the
 * entry format and the huge-leaf size do not depend on the level count, so a variant is a page size.
 *
 * arch/loongarch/include/asm/pgtable.h: PMD_SHIFT = PAGE_SHIFT + (PAGE_SHIFT - 3) (with 2 levels the same
 * value is PGDIR_SHIFT), PUD_SHIFT = PMD_SHIFT + (PAGE_SHIFT - 3) (4 levels only). HPAGE_SHIFT is the PMD
 * shift (asm/page.h), there is no HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD (arch/loongarch/Kconfig), so no
 * variant ever maps a PUD-level leaf and pudShift is left undefined (the PUD shift would be 30 / 36 / 42).
 *
 * PFN field: _PFN_MASK = bits PFN_PTE_SHIFT (= PAGE_SHIFT - 12 + _PAGE_PFN_SHIFT = PAGE_SHIFT) ..
 * _PAGE_PFN_END_SHIFT - 1 (47) (asm/pgtable-bits.h). At PMD level the field starts at PMD_SHIFT: bit 12
 * is HGLOBAL in a huge entry, which would otherwise sit inside the 4K field.
 */
import type { VariantDecl } from '../api'

const PFN_HI = 47 // _PAGE_PFN_END_SHIFT (48) - 1
const SRC = 'arch/loongarch/include/asm/pgtable.h (PMD_SHIFT = PAGE_SHIFT + (PAGE_SHIFT - 3)); asm/pgtable-bits.h (_PFN_MASK)'

function variant(name: string, pageShift: number, description: string): VariantDecl {
  const pmdShift = pageShift + (pageShift - 3)
  return {
    name,
    description,
    pageShift,
    pmdShift,
    pfnShift: pageShift,
    pfn: { pte: { lo: pageShift, hi: PFN_HI }, pmd: { lo: pmdShift, hi: PFN_HI } },
    source: SRC,
  }
}

export const variants: readonly VariantDecl[] = [
  variant('4K', 12, '4K pages, 2M PMD leaves (4KB_3LEVEL: 39-bit VA; 4KB_4LEVEL: 48-bit VA)'),
  variant('16K', 14, '16K pages, 32M PMD leaves (16KB_3LEVEL, the 64BIT default: 47-bit VA; 16KB_2LEVEL: 36-bit VA)'),
  variant('64K', 16, '64K pages, 512M PMD leaves (64KB_2LEVEL: 42-bit VA; 64KB_3LEVEL: 55-bit VA)'),
]
