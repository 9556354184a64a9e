import { describe, expect, it } from 'vitest'
import { getArch } from '../../arch/index'
import { context, decodeEntry, encodeEntry, encodeLeaf, entryHelpers } from '../../arch/entry'
import { inKernelRange, kernel } from '../../arch/kernel'

// Bits from arch/loongarch/include/asm/pgtable-bits.h: VALID 0 (0x1), DIRTY 1 (0x2), PLV 2-3
// (_PAGE_USER = 3 << 2 = 0xC), _CACHE_CC = 1 << 4 = 0x10, GLOBAL/HUGE 6 (0x40), PRESENT 7 (0x80),
// WRITE 8 (0x100), MODIFIED 9 (0x200), HGLOBAL 12 (0x1000), DEVMAP 59 (0x0800000000000000, 6.11..6.16),
// NO_EXEC 62 (0x4000000000000000).
// Base of a user leaf: protection_map[VM_SHARED|VM_READ] (arch/loongarch/mm/cache.c)
//   = CC 0x10 | VALID 0x1 | USER 0xC | PRESENT 0x80 | NO_EXEC = 0x400000000000009D.

describe('loongarch leaf entries', () => {
  const la = getArch('loongarch')
  const ro = { write: false, dirty: false, special: false, devmap: true }
  const rw = { write: true, dirty: true, special: false, devmap: false }

  it('has the page-size variants, 16K by default, and no PUD leaves', () => {
    expect(la.variants.map((v) => v.name)).toEqual(['4K', '16K', '64K'])
    expect(context(la, kernel('6.16')).variant.name).toBe('16K')
    // PMD_SHIFT = PAGE_SHIFT + (PAGE_SHIFT - 3): 12+9 = 21, 14+11 = 25, 16+13 = 29
    expect(la.variants.map((v) => [v.pageShift, v.pmdShift, v.pudShift])).toEqual([
      [12, 21, undefined],
      [14, 25, undefined],
      [16, 29, undefined],
    ])
  })

  it('6.14 pte_mkdevmap sets DEVMAP only (16K)', () => {
    const ctx = context(la, kernel('6.14'))
    const v = encodeLeaf(la, ctx, 'pte', { pfn: 0x40000n, ...ro })
    // 0x40000 << 14 = 0x100000000; 0x400000000000009D | DEVMAP 0x0800000000000000 | 0x100000000
    // = 0x480000010000009D
    expect(v).toBe(0x480000010000009dn)
    expect(entryHelpers(la, ctx, 'pte', v)).toMatchObject({ present: true, devmap: true, special: false, write: false, leaf: true })
  })

  it('6.16 writable dirty PMD leaf per variant', () => {
    const k = kernel('6.16')
    // low bits: 0x9D + HUGE 0x40 + WRITE 0x100 + MODIFIED 0x200 + DIRTY 0x2 = 0x3DF
    // 16K: 32M leaf = 2048 pages, pfn 0x40000 aligned; 0x40000 << 14 = 0x100000000
    const c16 = context(la, k, '16K')
    const v16 = encodeLeaf(la, c16, 'pmd', { pfn: 0x40000n, ...rw })
    expect(v16).toBe(0x40000001000003dfn)
    expect(entryHelpers(la, c16, 'pmd', v16)).toEqual({
      present: true,
      write: true,
      dirty: true,
      special: false,
      devmap: false,
      leaf: true,
      transHuge: true,
    })
    // 4K: 2M leaf = 512 pages, pfn 0x80200 = 0x401 * 0x200; 0x80200 << 12 = 0x80200000
    expect(encodeLeaf(la, context(la, k, '4K'), 'pmd', { pfn: 0x80200n, ...rw })).toBe(0x40000000802003dfn)
    // 64K: 512M leaf = 8192 pages, pfn 0x10000 aligned; 0x10000 << 16 = 0x100000000
    expect(encodeLeaf(la, context(la, k, '64K'), 'pmd', { pfn: 0x10000n, ...rw })).toBe(0x40000001000003dfn)
    // with pmd_mkdevmap: | 0x0800000000000000
    const d16 = encodeLeaf(la, c16, 'pmd', { pfn: 0x40000n, ...rw, devmap: true })
    expect(d16).toBe(0x48000001000003dfn)
    expect(entryHelpers(la, c16, 'pmd', d16)).toMatchObject({ leaf: true, devmap: true, transHuge: false })
    // misaligned PMD pfn (0x40001 is not a multiple of 2048)
    expect(() => encodeLeaf(la, c16, 'pmd', { pfn: 0x40001n, ...rw })).toThrow(/not aligned/)
  })

  it('decodes pfn, flags and unknown bits', () => {
    const ctx = context(la, kernel('6.16'))
    expect(decodeEntry(la, ctx, 'pmd', 0x48000001000003dfn)).toEqual({
      pfn: 0x40000n,
      flags: ['VALID', 'DIRTY', 'PLV=3', 'MAT=1', 'HUGE', 'PRESENT', 'WRITE', 'MODIFIED', 'DEVMAP', 'NO_EXEC'],
      unknownBits: 0n,
    })
    // HGLOBAL (0x1000) is a PMD bit; in a 16K PTE bit 12 is below the PFN field and undeclared.
    expect(decodeEntry(la, ctx, 'pmd', 0x40000001000010ddn).flags).toContain('HGLOBAL')
    expect(decodeEntry(la, ctx, 'pte', 0x400000010000109dn).unknownBits).toBe(0x1000n)
  })

  it('bit 6 is GLOBAL at PTE level and HUGE at PMD level', () => {
    const ctx = context(la, kernel('6.16'))
    // 0x400000000000009D | 0x40 | 0x100000000 = 0x40000001000000DD
    const v = 0x40000001000000ddn
    expect(decodeEntry(la, ctx, 'pte', v).flags).toEqual(['VALID', 'PLV=3', 'MAT=1', 'GLOBAL', 'PRESENT', 'NO_EXEC'])
    expect(decodeEntry(la, ctx, 'pmd', v).flags).toEqual(['VALID', 'PLV=3', 'MAT=1', 'HUGE', 'PRESENT', 'NO_EXEC'])
    expect(entryHelpers(la, ctx, 'pmd', v).leaf).toBe(true)
    // without bit 6 a PMD is a table pointer, not a leaf
    expect(entryHelpers(la, ctx, 'pmd', 0x400000010000009dn).leaf).toBe(false)
    expect(la.fields.filter((f) => f.shift === 6).map((f) => [f.name, f.levels, f.aliases])).toEqual([
      ['GLOBAL', ['pte'], ['HUGE']],
      ['HUGE', ['pmd', 'pud'], ['GLOBAL']],
    ])
  })

  it('6.10 has no DEVMAP yet', () => {
    const ctx = context(la, kernel('6.10'))
    expect(() => encodeLeaf(la, ctx, 'pte', { pfn: 0x40000n, ...ro })).toThrow(/pte_mkdevmap\(\) in kernel 6\.10/)
    expect(() => encodeEntry(la, ctx, 'pte', 0x40000n, ['DEVMAP'])).toThrow(/6\.11\.\.6\.16/)
    const d = decodeEntry(la, ctx, 'pte', 0x480000010000009dn)
    expect(d.flags).not.toContain('DEVMAP')
    expect(d.unknownBits).toBe(0x0800000000000000n)
    expect(entryHelpers(la, ctx, 'pte', 0x480000010000009dn).devmap).toBeUndefined()
  })

  it('6.17 removes DEVMAP and frees bit 59', () => {
    const ctx = context(la, kernel('6.17'))
    expect(() => encodeLeaf(la, ctx, 'pte', { pfn: 0x40000n, ...ro })).toThrow(/6\.17/)
    expect(() => encodeLeaf(la, ctx, 'pmd', { pfn: 0x40000n, ...rw, devmap: true })).toThrow(/6\.17/)
    expect(decodeEntry(la, ctx, 'pte', 1n << 59n)).toEqual({ pfn: 0n, flags: [], unknownBits: 0x0800000000000000n })
    expect(encodeLeaf(la, ctx, 'pmd', { pfn: 0x40000n, ...rw })).toBe(0x40000001000003dfn)
  })

  it('present follows pte_present and pmd_present', () => {
    const ctx = context(la, kernel('6.16'))
    // PROTNONE (0x400) alone: pte_present() = val & (PRESENT|PROTNONE)
    expect(entryHelpers(la, ctx, 'pte', 0x400n).present).toBe(true)
    expect(entryHelpers(la, ctx, 'pte', 0x1n).present).toBe(false)
    // pmd_mkinvalid(): PRESENT_INVALID (1 << 60) | HUGE, PRESENT/VALID/DIRTY cleared
    expect(entryHelpers(la, ctx, 'pmd', (1n << 60n) | 0x40n | 0x100000000n)).toMatchObject({ present: true, leaf: true })
    expect(entryHelpers(la, ctx, 'pmd', 0x40n | 0x100000000n).present).toBe(false)
  })

  it('Kconfig: devmap 6.11..6.16, ZONE_DEVICE from 6.11, no PUD THP', () => {
    const { ptesDevmap, zoneDevice, pudThp } = la.kconfig
    const any = (r: typeof ptesDevmap, v: string) => r.some((x) => inKernelRange(kernel(v), x))
    expect(['6.10', '6.11', '6.16', '6.17'].map((v) => any(ptesDevmap, v))).toEqual([false, true, true, false])
    expect(['6.10', '6.11', '6.17'].map((v) => any(zoneDevice, v))).toEqual([false, true, true])
    expect(pudThp).toEqual([])
  })
})
