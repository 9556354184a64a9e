import { describe, expect, it } from 'vitest'
import { getArch } from '../../arch/index'
import { context, decodeEntry, encodeLeaf, entryHelpers } from '../../arch/entry'
import { kernel } from '../../arch/kernel'

// Golden values are computed by hand from the kernel headers, not by the code under test:
//   pgtable-bits.h: _PAGE_PRESENT 1<<0, _PAGE_READ 1<<1, _PAGE_WRITE 1<<2, _PAGE_EXEC 1<<3, _PAGE_USER 1<<4,
//     _PAGE_GLOBAL 1<<5, _PAGE_ACCESSED 1<<6, _PAGE_DIRTY 1<<7, _PAGE_SPECIAL 1<<8,
//     _PAGE_DEVMAP 1<<9 (6.11..6.16), _PAGE_PFN_SHIFT 10
//   pgtable-64.h: _PAGE_PFN_MASK GENMASK(53, 10), _PAGE_NOCACHE_SVPBMT 1<<61, _PAGE_IO_SVPBMT 1<<62
//   pgtable.h: PAGE_READ = _PAGE_BASE | _PAGE_READ, _PAGE_BASE = PRESENT | ACCESSED | USER
//     -> 0x1 + 0x2 + 0x10 + 0x40 = 0x53
const noLeaf = { write: false, dirty: false, special: false, devmap: false }

describe('riscv leaf entries', () => {
  const riscv = getArch('riscv')

  it('6.14 pte_mkdevmap sets DEVMAP only (not SPECIAL)', () => {
    const ctx = context(riscv, kernel('6.14'))
    const v = encodeLeaf(riscv, ctx, 'pte', { ...noLeaf, pfn: 0x80000n, devmap: true })
    // 0x53 | DEVMAP 0x200 = 0x253; pfn 0x80000 << 10 = 0x2000_0000 (PA 0x8000_0000)
    expect(v).toBe(0x20000253n)
    expect(entryHelpers(riscv, ctx, 'pte', v)).toMatchObject({ present: true, special: false, devmap: true, leaf: true })
  })

  it('DEVMAP is absent in 6.10 and present in 6.11', () => {
    const v = 0x20000253n
    const k610 = context(riscv, kernel('6.10'))
    expect(() => encodeLeaf(riscv, k610, 'pte', { ...noLeaf, pfn: 0x80000n, devmap: true })).toThrow(/6\.10/)
    expect(decodeEntry(riscv, k610, 'pte', v)).toEqual({ pfn: 0x80000n, flags: ['PRESENT', 'READ', 'USER', 'ACCESSED'], unknownBits: 0x200n })
    expect(entryHelpers(riscv, k610, 'pte', v).devmap).toBeUndefined()
    const k611 = context(riscv, kernel('6.11'))
    expect(decodeEntry(riscv, k611, 'pte', v)).toEqual({
      pfn: 0x80000n,
      flags: ['PRESENT', 'READ', 'USER', 'ACCESSED', 'DEVMAP'],
      unknownBits: 0n,
    })
  })

  it('6.16 writable dirty devmap PMD leaf', () => {
    const ctx = context(riscv, kernel('6.16'))
    const v = encodeLeaf(riscv, ctx, 'pmd', { pfn: 0x80000n, write: true, dirty: true, special: false, devmap: true })
    // PRESENT 0x1 + READ 0x2 + WRITE 0x4 + USER 0x10 + ACCESSED 0x40 + DIRTY 0x80 + DEVMAP 0x200 = 0x2d7
    // pfn 0x80000 (512-page aligned) << 10 = 0x2000_0000
    expect(v).toBe(0x200002d7n)
    expect(entryHelpers(riscv, ctx, 'pmd', v)).toMatchObject({ present: true, write: true, dirty: true, devmap: true, leaf: true })
  })

  it('PUD devmap exists in 6.16 only (PUD THP c3cc2a4a3a23), not in 6.15', () => {
    const k616 = context(riscv, kernel('6.16'))
    // pfn 0x80000 is 0x40000-page (1 GiB) aligned; flags 0x53 | DEVMAP 0x200
    expect(encodeLeaf(riscv, k616, 'pud', { ...noLeaf, pfn: 0x80000n, devmap: true })).toBe(0x20000253n)
    const k615 = context(riscv, kernel('6.15'))
    expect(() => encodeLeaf(riscv, k615, 'pud', { ...noLeaf, pfn: 0x80000n, devmap: true })).toThrow(/pud_mkdevmap/)
    expect(decodeEntry(riscv, k615, 'pud', 0x20000253n).unknownBits).toBe(0x200n)
  })

  it('6.17 has no devmap: encoding throws naming 6.17, bit 9 is unknown, PBMT decodes', () => {
    const ctx = context(riscv, kernel('6.17'))
    expect(() => encodeLeaf(riscv, ctx, 'pte', { ...noLeaf, pfn: 1n, devmap: true })).toThrow(/6\.17/)
    // IO (1<<62) = 0x4000_0000_0000_0000 added to 0x20000253
    expect(decodeEntry(riscv, ctx, 'pte', 0x4000000020000253n)).toEqual({
      pfn: 0x80000n,
      flags: ['PRESENT', 'READ', 'USER', 'ACCESSED', 'IO'],
      unknownBits: 0x200n,
    })
  })

  it('leaves are identified by R/W/X; a pointer entry is not a leaf', () => {
    const ctx = context(riscv, kernel('6.16'))
    // _PAGE_TABLE = _PAGE_PRESENT: next table at pfn 0x80000 -> 0x2000_0000 | 0x1
    const ptr = entryHelpers(riscv, ctx, 'pmd', 0x20000001n)
    expect(ptr.present).toBe(true)
    expect(ptr.leaf).toBe(false)
    // THP split: V cleared, R still set -> pmd_present() (THP) and pmd_leaf() stay true; pud_present() does not
    expect(entryHelpers(riscv, ctx, 'pmd', 0x20000052n)).toMatchObject({ present: true, leaf: true })
    expect(entryHelpers(riscv, ctx, 'pud', 0x20000052n)).toMatchObject({ present: false, leaf: false })
  })

  it('paging modes share the 4 KiB / 2 MiB / 1 GiB sizes and the PPN field', () => {
    for (const name of ['sv39', 'sv48', 'sv57']) {
      const v = context(riscv, kernel('6.16'), name).variant
      expect([v.pageShift, v.pmdShift, v.pudShift, v.pfnShift]).toEqual([12, 21, 30, 10])
      expect(v.pfn.pud).toEqual({ lo: 10, hi: 53 })
    }
    expect(riscv.defaultVariant).toBe('sv39')
  })

  it('Kconfig: ARCH_HAS_PTE_DEVMAP 6.11..6.16, ZONE_DEVICE from 6.11, PUD THP from 6.16', () => {
    expect(riscv.kconfig.ptesDevmap).toEqual([{ from: '6.11', until: '6.17' }])
    expect(riscv.kconfig.zoneDevice).toEqual([{ from: '6.11' }])
    expect(riscv.kconfig.pudThp).toEqual([{ from: '6.16' }])
  })
})
