import { describe, expect, it } from 'vitest'
import { getArch } from '../../arch/index'
import { context, decodeEntry, encodeEntry, encodeLeaf, entryHelpers, levelShift } from '../../arch/entry'
import { kernel } from '../../arch/kernel'

// Golden values are computed by hand from the kernel headers, not by the code under test:
//   pgtable-hwdef.h: PTE_VALID 1<<0, PTE_TYPE_PAGE 3<<0 (bit 1 = table/page), PTE_USER 1<<6, PTE_RDONLY 1<<7,
//     PTE_SHARED 3<<8, PTE_AF 1<<10, PTE_NG 1<<11, PTE_DBM 1<<51, PTE_PXN 1<<53, PTE_UXN 1<<54
//   pgtable-prot.h: PTE_WRITE = PTE_DBM, PTE_DIRTY 1<<55, PTE_SPECIAL 1<<56, PTE_DEVMAP 1<<57 (<= 6.16),
//     PTE_PROT_NONE 1<<58 (< 6.10) / PTE_UFFD_WP 1<<58 (6.10+), PTE_PRESENT_INVALID = PTE_NG (6.10+)
//   _PAGE_READONLY = PTE_TYPE_PAGE|PTE_AF|PTE_SHARED|ATTRINDX(MT_NORMAL=0)|PTE_USER|PTE_RDONLY|PTE_NG|PTE_PXN|PTE_UXN
//     low bits: 0x1 + 0x2 + 0x40 + 0x80 + 0x300 + 0x400 + 0x800 = 0xfc3; high: PXN|UXN = 0x0060_0000_0000_0000
const noLeaf = { write: false, dirty: false, special: false, devmap: false }

describe('arm64 leaf entries', () => {
  const arm64 = getArch('arm64')

  it('6.14 pte_mkdevmap sets DEVMAP|SPECIAL on a PAGE_READONLY pte (4K)', () => {
    const ctx = context(arm64, kernel('6.14'))
    const v = encodeLeaf(arm64, ctx, 'pte', { ...noLeaf, pfn: 0x100000n, devmap: true })
    // 0xfc3 | PXN|UXN 0x0060.. | SPECIAL 0x0100.. | DEVMAP 0x0200.. = 0x0360_0000_0000_0fc3; pfn 0x100000 << 12 = 0x1_0000_0000
    expect(v).toBe(0x0360000100000fc3n)
    expect(entryHelpers(arm64, ctx, 'pte', v)).toMatchObject({ present: true, write: false, special: true, devmap: true, leaf: true })
  })

  it('decodes a 6.14 pte into pfn, flags in bit order and no unknown bits', () => {
    const ctx = context(arm64, kernel('6.14'))
    const d = decodeEntry(arm64, ctx, 'pte', 0x0360000100000fc3n)
    expect(d.pfn).toBe(0x100000n)
    expect(d.flags).toEqual(['VALID', 'TYPE', 'USER', 'RDONLY', 'SHARED=3', 'AF', 'NG', 'PXN', 'UXN', 'SPECIAL', 'DEVMAP'])
    expect(d.unknownBits).toBe(0n)
  })

  it('6.16 writable dirty devmap PMD block (4K granule)', () => {
    const ctx = context(arm64, kernel('6.16'))
    const v = encodeLeaf(arm64, ctx, 'pmd', { pfn: 0x40000n, write: true, dirty: true, special: false, devmap: true })
    // pmd_mkhuge clears bit 1 (PMD_TYPE_SECT = 0b01); mkwrite sets WRITE(51) and clears RDONLY(7);
    // mkdirty sets DIRTY(55); pmd_mkdevmap sets DEVMAP(57) only.
    // low: VALID 0x1 + USER 0x40 + SHARED 0x300 + AF 0x400 + NG 0x800 = 0xf41
    // high: WRITE 0x0008.. + PXN 0x0020.. + UXN 0x0040.. + DIRTY 0x0080.. + DEVMAP 0x0200.. = 0x02e8_0000_0000_0000
    // pfn 0x40000 << 12 = 0x4000_0000 (1 GiB, 512-page aligned)
    expect(v).toBe(0x02e8000040000f41n)
    expect(entryHelpers(arm64, ctx, 'pmd', v)).toMatchObject({ present: true, write: true, dirty: true, special: false, devmap: true, leaf: true })
    expect(decodeEntry(arm64, ctx, 'pmd', v)).toEqual({
      pfn: 0x40000n,
      flags: ['VALID', 'USER', 'SHARED=3', 'AF', 'NG', 'WRITE', 'PXN', 'UXN', 'DIRTY', 'DEVMAP'],
      unknownBits: 0n,
    })
  })

  it('a PMD table descriptor (bits[1:0] = 0b11) is present but not a leaf', () => {
    const ctx = context(arm64, kernel('6.16'))
    // PMD_TYPE_TABLE = 3; next-level table at PA 0x4000_0000
    const h = entryHelpers(arm64, ctx, 'pmd', 0x40000003n)
    expect(h.present).toBe(true)
    expect(h.leaf).toBe(false)
  })

  it('arm64 has no pud_mkdevmap (pud_devmap() is 0)', () => {
    const ctx = context(arm64, kernel('6.16'))
    expect(() => encodeLeaf(arm64, ctx, 'pud', { ...noLeaf, pfn: 0x40000n, devmap: true })).toThrow(/pud_mkdevmap/)
  })

  it('6.17 has no devmap: encoding throws naming 6.17, bit 57 decodes as unknown', () => {
    const ctx = context(arm64, kernel('6.17'))
    expect(() => encodeLeaf(arm64, ctx, 'pte', { ...noLeaf, pfn: 1n, devmap: true })).toThrow(/6\.17/)
    expect(() => encodeEntry(arm64, ctx, 'pte', 1n, ['DEVMAP'])).toThrow(/6\.17/)
    // 0x0360000100000fc3 plus bit 63 (PTE_SWBITS_MASK, no Linux user): unknown = bit 63 | bit 57
    const d = decodeEntry(arm64, ctx, 'pte', 0x8360000100000fc3n)
    expect(d.pfn).toBe(0x100000n)
    expect(d.flags).toEqual(['VALID', 'TYPE', 'USER', 'RDONLY', 'SHARED=3', 'AF', 'NG', 'PXN', 'UXN', 'SPECIAL'])
    expect(d.unknownBits).toBe(0x8200000000000000n)
  })

  it('bit 58 is PROT_NONE before 6.10 and UFFD_WP from 6.10; present-invalid moved to NG', () => {
    // PAGE_NONE (<= 6.9) = (_PAGE_DEFAULT & ~PTE_VALID) | PTE_PROT_NONE | PTE_RDONLY | PTE_NG | PTE_PXN | PTE_UXN
    //   low: TYPE 0x2 + RDONLY 0x80 + SHARED 0x300 + AF 0x400 + NG 0x800 = 0xf82
    //   high: PROT_NONE 0x0400.. + PXN 0x0020.. + UXN 0x0040.. = 0x0460..; pfn 0x1234 << 12 = 0x123_4000
    const protNone69 = 0x0460000001234f82n
    const old = context(arm64, kernel('6.9'))
    expect(entryHelpers(arm64, old, 'pte', protNone69).present).toBe(true)
    expect(decodeEntry(arm64, old, 'pte', protNone69).flags).toContain('PROT_NONE')
    // Same value on 6.10: bit 58 now reads as UFFD_WP; still present because NG (= PTE_PRESENT_INVALID) is set.
    const cur = context(arm64, kernel('6.10'))
    expect(decodeEntry(arm64, cur, 'pte', protNone69).flags).toContain('UFFD_WP')
    // PAGE_NONE (6.10+) = (_PAGE_DEFAULT & ~PTE_VALID) | PTE_PRESENT_INVALID | RDONLY | NG | PXN | UXN = 0x0060000001234f82
    expect(entryHelpers(arm64, cur, 'pte', 0x0060000001234f82n).present).toBe(true)
    // On 6.9 the NG bit alone does not make an invalid entry present.
    expect(entryHelpers(arm64, old, 'pte', 0x0060000001234f82n).present).toBe(false)
  })

  it('pte_write() is PTE_WRITE (DBM) alone', () => {
    const ctx = context(arm64, kernel('6.16'))
    // writable clean: WRITE and RDONLY both set (hardware DBM clears RDONLY on first write)
    expect(entryHelpers(arm64, ctx, 'pte', 0x0068000000001fc3n).write).toBe(true)
  })

  it('granules: page, PMD and PUD sizes', () => {
    const sizes = (name: string) => {
      const ctx = context(arm64, kernel('6.16'), name)
      return [ctx.variant.pageShift, ctx.variant.pmdShift, ctx.variant.pudShift]
    }
    // ARM64_HW_PGTABLE_LEVEL_SHIFT(n) = (PAGE_SHIFT - 3) * (4 - n) + 3
    expect(sizes('4K')).toEqual([12, 21, 30]) // 4 KiB, 2 MiB, 1 GiB
    expect(sizes('16K')).toEqual([14, 25, undefined]) // 16 KiB, 32 MiB, no PUD block (pud_sect_supported() is 4K only)
    expect(sizes('64K')).toEqual([16, 29, undefined]) // 64 KiB, 512 MiB, no PUD level
    expect(arm64.defaultVariant).toBe('4K')
    expect(() => levelShift(context(arm64, kernel('6.16'), '64K').variant, 'pud')).toThrow(/PUD/)
  })

  it('64K PMD block: pfn in 64 KiB pages, 8192-page aligned', () => {
    const ctx = context(arm64, kernel('6.16'), '64K')
    // pfn 0x2000 << 16 = 0x2000_0000 (512 MiB); VALID|USER|RDONLY|SHARED|AF|NG = 0xfc1; PXN|UXN 0x0060..
    expect(encodeLeaf(arm64, ctx, 'pmd', { ...noLeaf, pfn: 0x2000n })).toBe(0x0060000020000fc1n)
    expect(() => encodeLeaf(arm64, ctx, 'pmd', { ...noLeaf, pfn: 0x2001n })).toThrow(/aligned/)
    expect(entryHelpers(arm64, ctx, 'pud', 0x0060000020000fc1n).leaf).toBe(false)
  })

  it('Kconfig: devmap until 6.17, ZONE_DEVICE always, no PUD THP', () => {
    expect(arm64.kconfig.ptesDevmap).toEqual([{ until: '6.17' }])
    expect(arm64.kconfig.zoneDevice).toEqual([{}])
    expect(arm64.kconfig.pudThp).toEqual([])
  })
})
