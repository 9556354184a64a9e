/** The raw loop's baseline replays the engine's own pages (ADR 0028): pages numbered in order of first use. */
import { describe, expect, it } from 'vitest'
import { denseIndexes } from './raw'

describe('raw loop pages', () => {
  it('numbers pfns densely in order of first use, only the first count of them', () => {
    const { pages, distinct } = denseIndexes(new Float64Array([0x200000, 0x200200, 0x200000, 0x1000, 0x200200, 7]), 5)
    expect([...pages]).toEqual([0, 1, 0, 2, 1])
    expect(distinct).toBe(3)
  })

  it('gives the device DAX mix as many distinct pages as its trace has', async () => {
    const { runScenario } = await import('../../main/sim/run')
    const { devdaxMix } = await import('./workloads')
    const mix = devdaxMix(300, 100)
    const out = runScenario(mix, mix.profile as never, { kernel: '6.17' })
    const cols = out.trace.events.columns()
    const { pages, distinct } = denseIndexes(cols.pfn, cols.count)
    expect(distinct).toBe(new Set(cols.pfn).size)
    // One pfn per page number and one page number per pfn.
    const pfnOf = new Map<number, number>()
    for (let i = 0; i < cols.count; i++) {
      expect(pfnOf.get(pages[i]!) ?? cols.pfn[i]).toBe(cols.pfn[i])
      pfnOf.set(pages[i]!, cols.pfn[i]!)
    }
    expect(pfnOf.size).toBe(distinct)
  })
})
