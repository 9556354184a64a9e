import { describe, expect, it } from 'vitest'
import type { Profile } from '../../main/formats/profile'
import type { Step } from '../../main/formats/scenario'
import { runScenario } from '../../main/sim/run'
import { checkValid, InvalidWorkload } from './validity'
import { devdaxMix } from './workloads'

describe('bench workload guard', () => {
  it('passes the valid workload', () => {
    const scenario = devdaxMix(300, 100)
    expect(() => checkValid(scenario.name, runScenario(scenario, scenario.profile as Profile, { kernel: '6.17' }))).not.toThrow()
  })
  it('fails loudly when a FOLL_GET is released with unpin (the old bench bug)', () => {
    const scenario = devdaxMix(300, 100)
    // Release every GUP with unpin, whatever it took: FOLL_GET ones underflow _pincount.
    const steps = scenario.steps.map((s): Step => (s.op === 'put' ? { op: 'unpin', task: s.task, args: s.args } : s))
    const output = runScenario({ ...scenario, steps }, scenario.profile as Profile, { kernel: '6.17' })
    expect(() => checkValid(scenario.name, output)).toThrow(InvalidWorkload)
    expect(() => checkValid(scenario.name, output)).toThrow(/pincount_underflow/)
  })
  it('fails loudly on a step that failed, found without reading the result\'s steps', () => {
    const scenario = devdaxMix(300, 100)
    // A GUP of a mapping that was never made fails with an error, and no violation is reported.
    const steps: Step[] = [...scenario.steps, { op: 'gup', task: 'main', args: { id: 'late', map: 'nowhere', offset: 0, pages: 1, pin: true, longterm: false, fast: true, write: false, p2pdma: false } } as Step]
    const output = runScenario({ ...scenario, steps }, scenario.profile as Profile, { kernel: '6.17' })
    expect(() => checkValid(scenario.name, output)).toThrow(/1 failed step\(s\)/)
    // The store figures save this very result: it must still be as the engine handed it over.
    expect(Object.getOwnPropertyDescriptor(output.result, 'steps')!.get).toBeTypeOf('function')
    expect(output.result.steps.at(-1)).toMatchObject({ op: 'gup', status: 'error' })
  })
})
