import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { allArchPlugins, getArch } from '../../arch/index'
import { ENTRY_ERROR, groupedHex, labelSegments, parseEntry } from '../../renderer/bit-layout'
import { DEFAULT_KERNEL, EXAMPLE_ENTRY, useLayoutStore } from '../../renderer/stores/layout'

beforeEach(() => {
  setActivePinia(createPinia())
})

describe('layout store', () => {
  it('starts on x86, its default variant, kernel 6.16, the PTE and the example entry', () => {
    const store = useLayoutStore()
    expect(store.archId).toBe('x86')
    expect(store.variantName).toBe(getArch('x86').defaultVariant)
    expect(store.kernelText).toBe(DEFAULT_KERNEL)
    expect(store.shownLevel).toBe('pte')
    expect(store.entryText).toBe(EXAMPLE_ENTRY)
    expect(store.archOptions.map((a) => a.id)).toEqual(allArchPlugins().map((p) => p.id))
    expect(store.kernelOptions).toContain('6.17')
  })

  it('resets the variant to the default when the arch changes', () => {
    const store = useLayoutStore()
    store.selectVariant('5-level')
    expect(store.variantName).toBe('5-level')
    store.selectArch('riscv')
    expect(store.variantName).toBe(getArch('riscv').defaultVariant)
    expect(store.variant.name).toBe(getArch('riscv').defaultVariant)
    store.selectArch('x86')
    expect(store.variantName).toBe('4-level')
  })

  it('ignores a variant of another arch and clamps the level to the variant', () => {
    const store = useLayoutStore()
    store.selectVariant('sv39')
    expect(store.variantName).toBe('4-level')
    store.selectLevel('pud')
    expect(store.shownLevel).toBe('pud')
    store.selectArch('powerpc')
    store.selectVariant('hash-4k')
    expect(store.levels).toEqual(['pte'])
    expect(store.level).toBe('pte')
    expect(store.shownLevel).toBe('pte')
    store.selectLevel('pmd')
    expect(store.level).toBe('pte')
  })

  it('decodes the x86 6.14 devmap PTE', () => {
    const store = useLayoutStore()
    store.selectKernel('6.14')
    store.setEntryText('0x8200000300000225')
    expect(store.entryError).toBeUndefined()
    expect(store.decoded?.pfn).toBe(0x300000n)
    expect(store.decoded?.pfnHex).toBe('0x300000')
    expect(store.decoded?.flags).toEqual(['PRESENT', 'USER', 'ACCESSED', 'SPECIAL', 'DEVMAP', 'NX'])
    expect(store.decoded?.unknownBits).toBe(0n)
    expect(store.decoded?.helpers.devmap).toBe(true)
    expect(store.decoded?.setBits).toEqual([63, 57, 33, 32, 9, 5, 2, 0])
    // The example button builds the very same value from the x86 recipe.
    expect(store.exampleEntry).toBe('0x8200000300000225')
  })

  it('reports invalid input as an error, never throws', () => {
    const store = useLayoutStore()
    for (const text of ['0xZZ', 'hello', '0x1_0000_0000_0000_0000', '-1', '0x']) {
      store.setEntryText(text)
      expect(store.entryError).toBe(ENTRY_ERROR)
      expect(store.decoded).toBeUndefined()
      expect(store.entryValue).toBeUndefined()
    }
    store.setEntryText('  ')
    expect(store.entryError).toBeUndefined()
    expect(store.decoded).toBeUndefined()
  })

  it('marks bit 57 as DEVMAP freed to SOFTW4 when comparing 6.16 with 6.17', () => {
    const store = useLayoutStore()
    store.selectCompare('6.17')
    expect(store.compareLabel).toBe('6.17')
    expect(store.changes).toEqual([{ level: 'pte', bit: 57, before: 'DEVMAP', after: 'SOFTW4', change: 'freed' }])
    const cell = store.cells.find((c) => c.bit === 57)!
    expect(cell).toMatchObject({ name: 'DEVMAP', kind: 'devmap', change: { change: 'freed' } })
    expect(cell.title).toContain('DEVMAP → SOFTW4 (freed)')
    // Read with the 6.17 layout, bit 57 is no longer DEVMAP.
    expect(store.decoded?.compareFlags).toEqual(['PRESENT', 'USER', 'ACCESSED', 'SPECIAL', 'SOFTW4', 'NX'])
    store.selectCompare('')
    expect(store.changes).toEqual([])
  })

  it('draws 64 cells, bit 63 first, with hardware, software, address and unused bits', () => {
    const store = useLayoutStore()
    expect(store.cells.map((c) => c.bit)).toEqual(Array.from({ length: 64 }, (_, i) => 63 - i))
    const kind = (bit: number) => store.cells.find((c) => c.bit === bit)!.kind
    expect(kind(63)).toBe('hw')
    expect(kind(57)).toBe('devmap')
    expect(kind(55)).toBe('unused')
    expect(kind(30)).toBe('addr')
    expect(kind(9)).toBe('sw')
    expect(store.labels.find((l) => l.name === 'PFN')).toMatchObject({ hi: 51, lo: 12, vertical: false })
    expect(store.labels.find((l) => l.name === 'SAVED_DIRTY')).toMatchObject({ hi: 58, lo: 58, vertical: true })
  })

  it('focuses a field by key and falls back to DEVMAP', () => {
    const store = useLayoutStore()
    expect(store.focusedRow?.name).toBe('DEVMAP')
    store.focusField('NX@63')
    expect(store.focusedRow?.macro).toBe('_PAGE_NX')
    store.selectArch('arm64')
    expect(store.focusedRow?.name).toBe('DEVMAP')
    store.selectKernel('6.17')
    expect(store.focusedRow).toBeUndefined()
  })

  it('builds every arch, variant, kernel and level without throwing', () => {
    const store = useLayoutStore()
    for (const plugin of allArchPlugins()) {
      store.selectArch(plugin.id)
      for (const variant of plugin.variants) {
        store.selectVariant(variant.name)
        for (const kernel of store.kernelOptions) {
          store.selectKernel(kernel)
          store.selectCompare(kernel === '6.17' ? '6.16' : '6.17')
          for (const level of store.levels) {
            store.selectLevel(level)
            expect(store.cells).toHaveLength(64)
            expect(store.rows.some((r) => r.kind === 'addr')).toBe(true)
            expect(store.exampleEntry).toMatch(/^0x[0-9a-f]{16}$/)
            store.useExample()
            expect(store.decoded?.pfn).toBe(0x300000n)
            expect(store.decoded?.unknownBits).toBe(0n)
            // Every label row fits the diagram's lanes and bits.
            for (const label of labelSegments(store.rows)) expect(label.hi).toBeLessThan(64)
          }
        }
      }
    }
  })
})

describe('entry parsing', () => {
  it('takes hex with or without 0x, with separators', () => {
    expect(parseEntry('0x8200000300000225')).toEqual({ ok: true, value: 0x8200000300000225n })
    expect(parseEntry('8200000300000225')).toEqual({ ok: true, value: 0x8200000300000225n })
    expect(parseEntry(' 0x8200_0003_0000_0225 ')).toEqual({ ok: true, value: 0x8200000300000225n })
    expect(parseEntry('0XFFFFFFFFFFFFFFFF')).toEqual({ ok: true, value: (1n << 64n) - 1n })
    expect(parseEntry('0x10000000000000000')).toEqual({ ok: false, error: ENTRY_ERROR })
    expect(parseEntry('')).toEqual({ ok: true, value: undefined })
  })

  it('groups hex digits by four', () => {
    expect(groupedHex(0x8200000300000225n)).toBe('8200 0003 0000 0225')
  })

  it('stacks a second arch at the same kernel and level, and opens a run\'s entry with its context', () => {
    const store = useLayoutStore()
    expect(store.other).toBeUndefined()
    store.selectKernel('6.14')
    store.selectOtherArch('riscv')
    const other = store.other!
    expect(other.plugin.id).toBe('riscv')
    expect(other.ctx.variant.name).toBe(getArch('riscv').defaultVariant)
    expect(other.level).toBe('pte')
    expect(other.cells).toHaveLength(64)
    // The same level, each arch's own bits: x86's DEVMAP is bit 57, riscv's _PAGE_DEVMAP bit 9.
    expect(other.devmap).toBeDefined()
    expect(store.cells.find((c) => c.name === 'DEVMAP')?.bit).toBe(57)
    expect(other.cells!.find((c) => c.name === 'DEVMAP')?.bit).toBe(9)
    store.selectOtherArch('')
    expect(store.other).toBeUndefined()

    store.openEntry({ arch: 'riscv', variant: 'sv48', kernel: '6.14', level: 'pmd', value: '0x1' })
    expect([store.archId, store.variant.name, store.kernelLabel, store.shownLevel, store.entryText]).toEqual(['riscv', 'sv48', '6.14', 'pmd', '0x1'])
    store.openEntry({ arch: 'nope', variant: 'nope', kernel: 'not a kernel', level: 'nope', value: '0x2' })
    expect([store.archId, store.kernelLabel, store.entryText]).toEqual(['riscv', '6.14', '0x2'])
  })
})
