/**
 * The engine's compiled leaf encoders (arch/entry.ts compileLeafEncoder: masks resolved once, the pfn
 * shifted as a number while exact) give exactly what encodeLeaf() gives, or fail the same way, for
 * every arch, variant, kernel, level and flag combination, on pfns from 0 to past the pfn field.
 */
import { describe, expect, it } from 'vitest'
import { levelsOf } from '../../arch/describe'
import { compileLeafEncoder, context, encodeLeaf, pfnField } from '../../arch/entry'
import { allArchPlugins } from '../../arch/index'
import { kernel } from '../../arch/kernel'

const KERNELS = ['6.6', '6.14', '6.15', '6.16', '6.17']
const cases = allArchPlugins().flatMap((p) => p.variants.flatMap((v) => KERNELS.map((k) => ({ p, variant: v.name, k }))))

/** encodeLeaf's value or its error message. */
function outcome(f: () => bigint): string {
  try {
    return '0x' + f().toString(16)
  } catch (e) {
    return `error: ${(e as Error).message}`
  }
}

describe.each(cases)('$p.id $variant kernel $k', ({ p, variant, k }) => {
  const ctx = context(p, kernel(k), variant)
  it('compiled encoders equal encodeLeaf', () => {
    let compared = 0
    for (const level of levelsOf(ctx)) {
      const field = pfnField(ctx, level)
      if (!field) continue
      const encode = compileLeafEncoder(p, ctx, level)
      const bits = field.hi + 1 - ctx.variant.pfnShift
      const pages = 2 ** (level === 'pte' ? 0 : level === 'pmd' ? ctx.variant.pmdShift - ctx.variant.pageShift : (ctx.variant.pudShift ?? ctx.variant.pmdShift) - ctx.variant.pageShift)
      // Aligned and misaligned pfns, the top of the field, and one past it.
      const pfns = [0, 1, pages, 3 * pages, 0x12345 * pages, 2 ** 20 * pages, 2 ** bits - pages, 2 ** bits, 2 ** bits + pages, 2 ** (bits - 1) + 7]
      for (const pfn of pfns) {
        for (let key = 0; key < 16; key++) {
          const [write, dirty, special, devmap] = [(key & 1) !== 0, (key & 2) !== 0, (key & 4) !== 0, (key & 8) !== 0]
          const want = outcome(() => encodeLeaf(p, ctx, level, { pfn: BigInt(pfn), write, dirty, special, devmap }))
          expect(outcome(() => encode(pfn, write, dirty, special, devmap)), `${level} pfn 0x${pfn.toString(16)} flags ${key}`).toBe(want)
          compared++
        }
      }
    }
    expect(compared).toBeGreaterThan(0)
  })
})
