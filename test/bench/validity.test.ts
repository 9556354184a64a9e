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
})
