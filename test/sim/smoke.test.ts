import { describe, expect, it } from 'vitest'
import { builtinScenario, resolveProfile } from '../../main/library/index'
import { runScenario } from '../../main/sim/run'

describe('smoke', () => {
  it('runs', () => {
    const s = builtinScenario('fsdax-pin-unpin')!
    for (const k of ['6.14', '6.15', '6.17']) {
      const { result } = runScenario(s, resolveProfile(s, 'x'), { kernel: k })
      console.log(k, JSON.stringify(result.steps.filter((x) => x.probe || x.status !== 'ok'), null, 0))
      console.log(JSON.stringify(result.folios), JSON.stringify(result.pgmaps), JSON.stringify(result.violations))
    }
    expect(1).toBe(1)
  })
})
