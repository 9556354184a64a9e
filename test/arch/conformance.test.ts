/**
 * One conformance suite for every arch, variant and kernel, in the spirit of mm/debug_vm_pgtable.c:
 * layouts are self-consistent, helpers round-trip, PFNs survive encode/decode at every level, and the
 * devmap helpers exist exactly where the kernel had them. Golden values live in the per-arch tests.
 */
import { fc, test as fcTest } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import type { ArchPlugin, Level } from '../../arch/api'
import { fieldMask } from '../../arch/bits'
import { levelsOf } from '../../arch/describe'
import { context, decodeEntry, devmapFlags, encodeEntry, encodeLeaf, entryHelpers, fieldsAt, flagsOf, recipeFor } from '../../arch/entry'
import { allArchPlugins } from '../../arch/index'
import { inKernelRange, kernel } from '../../arch/kernel'

const KERNELS = ['6.1', '6.5', '6.6', '6.10', '6.11', '6.14', '6.15', '6.16', '6.17', '6.18']
const cases = allArchPlugins().flatMap((p) => p.variants.flatMap((v) => KERNELS.map((k) => ({ p, variant: v.name, k }))))

function label(p: ArchPlugin, variant: string, k: string) {
  return `${p.id}/${variant}@${k}`
}

describe('arch plugins are discovered', () => {
  it('finds the five Linux arches', () => {
    expect(allArchPlugins().map((p) => p.id)).toEqual(['arm64', 'loongarch', 'powerpc', 'riscv', 'x86'])
  })
})

describe.each(cases)('$p.id $variant kernel $k', ({ p, variant, k }) => {
  const ctx = context(p, kernel(k), variant)
  const levels = levelsOf(ctx)

  it('has no undeclared overlaps between fields at a level, nor with the address field', () => {
    for (const level of levels) {
      const fields = fieldsAt(p, ctx, level)
      for (const a of fields) {
        for (const b of fields) {
          if (a === b) continue
          const overlap = (fieldMask(a.shift, a.width ?? 1) & fieldMask(b.shift, b.width ?? 1)) !== 0n
          if (overlap) expect(a.aliases ?? [], `${label(p, variant, k)} ${level}: ${a.name} overlaps ${b.name}`).toContain(b.name)
        }
        const pfn = ctx.variant.pfn[level]!
        const addr = fieldMask(pfn.lo, pfn.hi - pfn.lo + 1)
        expect(fieldMask(a.shift, a.width ?? 1) & addr, `${label(p, variant, k)} ${level}: ${a.name} overlaps the PFN field`).toBe(0n)
        expect(a.shift + (a.width ?? 1)).toBeLessThanOrEqual(64)
      }
    }
  })

  it('has devmap helpers exactly where ARCH_HAS_PTE_DEVMAP was selected, and none from 6.17', () => {
    const selected = p.kconfig.ptesDevmap.some((r) => inKernelRange(ctx.kernel, r))
    expect(devmapFlags(p, ctx, 'pte') !== undefined, label(p, variant, k)).toBe(selected)
    expect(fieldsAt(p, ctx, 'pte').some((f) => f.name === 'DEVMAP')).toBe(selected)
    if (kernel(k).minor >= 17) expect(selected).toBe(false)
  })

  it('round-trips every mk/test helper on user leaves', () => {
    for (const level of levels) {
      const huge = level !== 'pte'
      const devmapAvailable = devmapFlags(p, ctx, level) !== undefined
      const specialFlags = flagsOf(recipeFor(p, ctx).special, level)
      for (const write of [false, true]) {
        for (const dirty of [false, true]) {
          for (const special of specialFlags.length > 0 ? [false, true] : [false]) {
            for (const devmap of devmapAvailable ? [false, true] : [false]) {
              const s = { pfn: 0n, write, dirty: dirty && write, special, devmap }
              const value = encodeLeaf(p, ctx, level, s)
              const h = entryHelpers(p, ctx, level, value)
              const where = `${label(p, variant, k)} ${level} ${JSON.stringify({ write, dirty, special, devmap })}`
              expect(h.present, where).toBe(true)
              expect(h.leaf, where).toBe(true)
              expect(h.write, where).toBe(write)
              if (flagsOf(recipeFor(p, ctx).dirty, level).length > 0) expect(h.dirty, where).toBe(s.dirty)
              const devmapSetsSpecial = devmap && specialFlags.length > 0 && specialFlags.every((f) => devmapFlags(p, ctx, level)!.includes(f))
              if (specialFlags.length > 0) expect(h.special, where).toBe(special || devmapSetsSpecial)
              if (devmapAvailable) expect(h.devmap, where).toBe(devmap)
              if (huge && p.id === 'x86') expect(h.transHuge, where).toBe(!devmap)
              const decoded = decodeEntry(p, ctx, level, value)
              expect(decoded.unknownBits, where).toBe(0n)
            }
          }
        }
      }
    }
  })

  it('refuses flags the release does not have', () => {
    if (!fieldsAt(p, ctx, 'pte').some((f) => f.name === 'DEVMAP') && p.fields.some((f) => f.name === 'DEVMAP')) {
      expect(() => encodeEntry(p, ctx, 'pte', 0n, ['DEVMAP'])).toThrow(new RegExp(k.replace('.', '\\.')))
    }
  })
})

describe.each(allArchPlugins().flatMap((p) => p.variants.map((v) => ({ p, variant: v.name }))))('$p.id $variant PFN round trips', ({ p, variant }) => {
  const ctx = context(p, kernel('6.16'), variant)
  for (const level of levelsOf(ctx) as Level[]) {
    const pfnField = ctx.variant.pfn[level]!
    const pagesShift = (level === 'pte' ? 0 : (level === 'pmd' ? ctx.variant.pmdShift : ctx.variant.pudShift!) - ctx.variant.pageShift)
    // The largest pfn that fits the field at this level, in leaf-sized units.
    const maxUnits = (1n << BigInt(pfnField.hi + 1 - ctx.variant.pfnShift - pagesShift)) - 1n
    fcTest.prop([fc.bigInt({ min: 0n, max: maxUnits }), fc.boolean(), fc.boolean()])(`${level}: decode(encode(pfn)) == pfn`, (units, write, dirty) => {
      const pfn = units << BigInt(pagesShift)
      const value = encodeLeaf(p, ctx, level, { pfn, write, dirty: dirty && write, special: false, devmap: false })
      const decoded = decodeEntry(p, ctx, level, value)
      expect(decoded.pfn).toBe(pfn)
      expect(decoded.unknownBits).toBe(0n)
    })
  }
})
