import { describe, expect, it } from 'vitest'
import { getArch } from '../../arch/index'
import { context, decodeEntry, encodeEntry, encodeLeaf, entryHelpers } from '../../arch/entry'
import { inKernelRange, kernel } from '../../arch/kernel'

// Masks from arch/powerpc/include/asm/book3s/64/pgtable.h (pte_val(), LSB = bit 0):
//   _PAGE_WRITE 0x2, _PAGE_READ 0x4, _PAGE_DIRTY 0x80, _PAGE_ACCESSED 0x100, _PAGE_SOFT_DIRTY 0x200,
//   _PAGE_SPECIAL 0x400, _PAGE_DEVMAP 0x800 (<= 6.16), _PAGE_PTE 0x4000000000000000,
//   _PAGE_PRESENT 0x8000000000000000; hash-64k.h H_PAGE_THP_HUGE 0x2000, H_PAGE_BUSY 0x40.
// Base of a user leaf: PAGE_READONLY (PRESENT|ACCESSED|READ) | _PAGE_PTE (pfn_pte) = 0xC000000000000104.

describe('powerpc book3s64 leaf entries', () => {
  const ppc = getArch('powerpc')
  const ro = { write: false, dirty: false, special: false, devmap: true }
  const rw = { write: true, dirty: true, special: false, devmap: true }

  it('has the four variants, radix-64k by default', () => {
    expect(ppc.variants.map((v) => v.name)).toEqual(['radix-4k', 'radix-64k', 'hash-4k', 'hash-64k'])
    expect(context(ppc, kernel('6.16')).variant.name).toBe('radix-64k')
    // PMD_SHIFT = PAGE_SHIFT + PTE_INDEX_SIZE: radix 12+9 / 16+5 = 21, hash 12+9 = 21, 16+8 = 24.
    expect(ppc.variants.map((v) => [v.pmdShift, v.pudShift])).toEqual([
      [21, 30],
      [21, 30],
      [21, undefined],
      [24, undefined],
    ])
  })

  it('6.14 pte_mkdevmap sets SPECIAL|DEVMAP (radix-64k)', () => {
    const ctx = context(ppc, kernel('6.14'))
    const v = encodeLeaf(ppc, ctx, 'pte', { pfn: 0x100000n, ...ro })
    // 0x100000 << 16 = 0x1000000000; 0xC000000000000000 | 0x1000000000 | READ 0x4 | ACCESSED 0x100
    // | SPECIAL 0x400 | DEVMAP 0x800 = 0xC000001000000D04
    expect(v).toBe(0xc000001000000d04n)
    expect(entryHelpers(ppc, ctx, 'pte', v)).toMatchObject({ present: true, special: true, devmap: true, write: false, leaf: true })
  })

  it('6.14 devmap PTE on hash-4k uses a 4K RPN', () => {
    const ctx = context(ppc, kernel('6.14'), 'hash-4k')
    // 0x12345 << 12 = 0x12345000; | 0xC000000000000D04 -> 0xC000000012345D04
    expect(encodeLeaf(ppc, ctx, 'pte', { pfn: 0x12345n, ...ro })).toBe(0xc000000012345d04n)
  })

  it('6.16 writable dirty devmap PMD leaf per variant', () => {
    const k = kernel('6.16')
    // radix: radix__pmd_mkdevmap = PTE|DEVMAP; mkwrite WRITE 0x2, mkdirty DIRTY 0x80 | SOFT_DIRTY 0x200.
    // low bits: 0x2 + 0x4 + 0x80 + 0x100 + 0x200 + 0x800 = 0xB86
    // radix-64k: 2M leaf = 32 pages, pfn 0x100000 aligned; 0x100000 << 16 = 0x1000000000
    const r64 = context(ppc, k, 'radix-64k')
    const vr64 = encodeLeaf(ppc, r64, 'pmd', { pfn: 0x100000n, ...rw })
    expect(vr64).toBe(0xc000001000000b86n)
    expect(entryHelpers(ppc, r64, 'pmd', vr64)).toEqual({
      present: true,
      write: true,
      dirty: true,
      special: false,
      devmap: true,
      leaf: true,
      transHuge: false, // radix__pmd_trans_huge: (val & (PTE|DEVMAP)) == PTE is false for devmap
    })
    // radix-4k: 2M leaf = 512 pages; 0x100000 << 12 = 0x100000000
    expect(encodeLeaf(ppc, context(ppc, k, 'radix-4k'), 'pmd', { pfn: 0x100000n, ...rw })).toBe(0xc000000100000b86n)
    // hash-64k: hash__pmd_mkdevmap = PTE|THP_HUGE|DEVMAP; 16M leaf = 256 pages; 0xB86 + 0x2000 = 0x2B86
    const h64 = context(ppc, k, 'hash-64k')
    const vh64 = encodeLeaf(ppc, h64, 'pmd', { pfn: 0x100000n, ...rw })
    expect(vh64).toBe(0xc000001000002b86n)
    expect(entryHelpers(ppc, h64, 'pmd', vh64)).toMatchObject({ leaf: true, devmap: true, transHuge: false })
    // hash-4k: hash__pmd_mkdevmap() BUG()s and there are no PMD leaves at all.
    const h4 = context(ppc, k, 'hash-4k')
    expect(() => encodeLeaf(ppc, h4, 'pmd', { pfn: 0x100000n, ...rw })).toThrow(/pmd_mkdevmap/)
    expect(() => encodeLeaf(ppc, h4, 'pmd', { pfn: 0x100000n, ...rw, devmap: false })).toThrow(/no pmd-level leaf/)
  })

  it('6.16 PMD leaf without devmap is trans huge', () => {
    const ctx = context(ppc, kernel('6.16'))
    const v = encodeLeaf(ppc, ctx, 'pmd', { pfn: 0x100000n, ...rw, devmap: false })
    // 0xB86 - DEVMAP 0x800 = 0x386
    expect(v).toBe(0xc000001000000386n)
    expect(entryHelpers(ppc, ctx, 'pmd', v)).toMatchObject({ leaf: true, devmap: false, transHuge: true })
  })

  it('PUD leaves are radix only (radix__pud_mkdevmap = PTE|DEVMAP)', () => {
    const r4 = context(ppc, kernel('6.16'), 'radix-4k')
    // 1G / 4K = 0x40000 pages; 0x40000 << 12 = 0x40000000; | 0xC000000000000B86
    expect(encodeLeaf(ppc, r4, 'pud', { pfn: 0x40000n, ...rw })).toBe(0xc000000040000b86n)
    expect(() => encodeLeaf(ppc, context(ppc, kernel('6.16'), 'hash-64k'), 'pud', { pfn: 0x40000n, ...rw, devmap: false })).toThrow(
      /no pud-level leaf/,
    )
    // pud_devmap() returned 0 before the 6.6 PUD THP support.
    expect(() => encodeLeaf(ppc, context(ppc, kernel('6.5'), 'radix-4k'), 'pud', { pfn: 0x40000n, ...rw })).toThrow(/pud_mkdevmap/)
  })

  it('6.17 has no devmap and frees _RPAGE_SW1', () => {
    const ctx = context(ppc, kernel('6.17'))
    expect(() => encodeLeaf(ppc, ctx, 'pte', { pfn: 0x100000n, ...ro })).toThrow(/6\.17/)
    expect(() => encodeLeaf(ppc, ctx, 'pmd', { pfn: 0x100000n, ...rw })).toThrow(/6\.17/)
    expect(() => encodeEntry(ppc, ctx, 'pte', 0x100000n, ['DEVMAP'])).toThrow(/6\.17/)
    // 0x800 alone
    expect(decodeEntry(ppc, ctx, 'pte', 0x800n).flags).toEqual(['SW1'])
    const v = encodeLeaf(ppc, ctx, 'pmd', { pfn: 0x100000n, ...rw, devmap: false })
    expect(v).toBe(0xc000001000000386n)
    expect(entryHelpers(ppc, ctx, 'pmd', v)).toMatchObject({ leaf: true, devmap: undefined, transHuge: true })
  })

  it('decodes pfn, flags and unknown bits', () => {
    const ctx = context(ppc, kernel('6.14'))
    expect(decodeEntry(ppc, ctx, 'pte', 0xc000001000000d04n)).toEqual({
      pfn: 0x100000n,
      flags: ['READ', 'ACCESSED', 'SPECIAL', 'DEVMAP', 'PTE', 'PRESENT'],
      unknownBits: 0n,
    })
    // bit 6 (0x40) is _RPAGE_RSV1: H_PAGE_BUSY on hash, undeclared on radix.
    // 0xC000000000000104 | 0x40 | 0x1000000000 = 0xC000001000000144
    expect(decodeEntry(ppc, ctx, 'pte', 0xc000001000000144n)).toEqual({
      pfn: 0x100000n,
      flags: ['READ', 'ACCESSED', 'PTE', 'PRESENT'],
      unknownBits: 0x40n,
    })
    const h64 = context(ppc, kernel('6.14'), 'hash-64k')
    expect(decodeEntry(ppc, h64, 'pte', 0xc000001000000144n).flags).toEqual(['READ', 'BUSY', 'ACCESSED', 'PTE', 'PRESENT'])
  })

  it('hash-64k bit 13 is THP_HUGE in a PMD and 4K_PFN in a PTE, below the 64K RPN', () => {
    const ctx = context(ppc, kernel('6.16'), 'hash-64k')
    expect(decodeEntry(ppc, ctx, 'pmd', 0xc000001000002b86n)).toEqual({
      pfn: 0x100000n,
      flags: ['WRITE', 'READ', 'DIRTY', 'ACCESSED', 'SOFT_DIRTY', 'DEVMAP', 'THP_HUGE', 'PTE', 'PRESENT'],
      unknownBits: 0n,
    })
    // 0xC000001000000104 | 0x2000 = 0xC000001000002104
    expect(decodeEntry(ppc, ctx, 'pte', 0xc000001000002104n)).toEqual({
      pfn: 0x100000n,
      flags: ['READ', 'ACCESSED', '4K_PFN', 'PTE', 'PRESENT'],
      unknownBits: 0n,
    })
  })

  it('protection keys: 5 bits from 56 on hash-64k, 3 bits from 57 on hash-4k', () => {
    // bits 56 and 58 = 0x0500000000000000
    // hash-64k: key = (val >> 56) & 0x1f = 5; 0xC000001000000104 | 0x0500000000000000
    expect(decodeEntry(ppc, context(ppc, kernel('6.16'), 'hash-64k'), 'pte', 0xc500001000000104n).flags).toEqual([
      'READ',
      'ACCESSED',
      'PKEY=5',
      'PTE',
      'PRESENT',
    ])
    // hash-4k: bit 56 is H_PAGE_F_SECOND, key = (val >> 57) & 7 = 2; RPN 0x100000 << 12 = 0x100000000
    expect(decodeEntry(ppc, context(ppc, kernel('6.16'), 'hash-4k'), 'pte', 0xc500000100000104n).flags).toEqual([
      'READ',
      'ACCESSED',
      'F_SECOND',
      'PKEY=2',
      'PTE',
      'PRESENT',
    ])
    // radix has no keys: the same bits are unknown.
    expect(decodeEntry(ppc, context(ppc, kernel('6.16'), 'radix-64k'), 'pte', 0xc500001000000104n).unknownBits).toBe(0x0500000000000000n)
  })

  it('present and leaf follow pte_present/pmd_present/pud_present and _PAGE_PTE', () => {
    const ctx = context(ppc, kernel('6.16'))
    // INVALID|PTE (0x6000000000000000) with PRESENT clear: present during ptep_modify_prot_start
    expect(entryHelpers(ppc, ctx, 'pte', 0x6000001000000104n).present).toBe(true)
    // PRESENT without PTE: not a present pte, but pud_present() only tests PRESENT
    expect(entryHelpers(ppc, ctx, 'pte', 0x8000001000000104n).present).toBe(false)
    expect(entryHelpers(ppc, ctx, 'pud', 0x8000001000000104n)).toMatchObject({ present: true, leaf: false })
    // pmdp_invalidate(): INVALID with PRESENT clear keeps pmd_present() true and pmd_leaf() true
    expect(entryHelpers(ppc, ctx, 'pmd', 0x6000001000000104n)).toMatchObject({ present: true, leaf: true })
  })

  it('Kconfig: devmap until 6.17, ZONE_DEVICE always, PUD THP from 6.6', () => {
    const { ptesDevmap, zoneDevice, pudThp } = ppc.kconfig
    const any = (r: typeof ptesDevmap, v: string) => r.some((x) => inKernelRange(kernel(v), x))
    expect([any(ptesDevmap, '6.16'), any(ptesDevmap, '6.17')]).toEqual([true, false])
    expect([any(zoneDevice, '6.1'), any(zoneDevice, '6.17')]).toEqual([true, true])
    expect([any(pudThp, '6.5'), any(pudThp, '6.6')]).toEqual([false, true])
  })
})
