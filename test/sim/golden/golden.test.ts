/**
 * Golden traces: every built-in scenario under 6.14, 6.15, 6.16 and 6.17 on every variant of every
 * arch (the default variants and the rest, so every compiled encoder is covered), hashed (events, string tables, result JSON) and compared with test/sim/golden/traces.json.
 * A combination the engine refuses (ModelError: e.g. no ZONE_DEVICE before 6.17 on that arch) is
 * recorded with its message, so a refusal that changes is caught too.
 *
 * An intended behaviour change regenerates the fixture with DAXLAB_WRITE_GOLDEN=1 (and the diff of
 * traces.json shows which combinations moved); an optimisation must leave it untouched.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { allArchPlugins } from '../../../arch/index'
import type { Profile } from '../../../main/formats/profile'
import { builtinProfile, builtinScenario, builtinScenarioNames, resolveProfile } from '../../../main/library/index'
import { runScenario } from '../../../main/sim/run'
import { devdaxMix, fsdax4k } from '../../bench/workloads'
import { traceHash } from './trace-hash'

const KERNELS = ['6.14', '6.15', '6.16', '6.17'] as const
const FIXTURE = new URL('./traces.json', import.meta.url)

function outcome(name: string, kernel: string, arch: string, variant: string): string {
  const scenario = builtinScenario(name)!
  try {
    return traceHash(runScenario(scenario, resolveProfile(scenario, name), { kernel, arch, variant }))
  } catch (e) {
    if (e instanceof Error && e.name !== 'TypeError' && e.name !== 'RangeError') return `refused: ${e.constructor.name}: ${e.message}`
    throw e
  }
}

function allOutcomes(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of builtinScenarioNames()) {
    for (const kernel of KERNELS) {
      for (const plugin of allArchPlugins()) {
        for (const v of plugin.variants) out[`${name} ${kernel} ${plugin.id}/${v.name}`] = outcome(name, kernel, plugin.id, v.name)
      }
    }
  }
  return out
}

/** Small instances of the two bench workloads: valid (no violation, no failed step) and hashed. */
function benchOutcomes(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const scenario of [devdaxMix(1500, 500), fsdax4k(builtinProfile('x86-pmem-1tib')!, 2500, 1000)]) {
    for (const kernel of KERNELS) {
      const output = runScenario(scenario, scenario.profile as Profile, { kernel })
      expect(output.result.violations, `${scenario.name} ${kernel}`).toEqual([])
      expect(output.result.steps.filter((s) => s.status !== 'ok' || s.signal), `${scenario.name} ${kernel}`).toEqual([])
      out[`bench ${scenario.name} ${kernel}`] = traceHash(output)
    }
  }
  return out
}

describe('golden traces', () => {
  it('every built-in scenario x kernel x arch variant, and the bench workloads, give the recorded trace', () => {
    const actual = { ...allOutcomes(), ...benchOutcomes() }
    if (process.env.DAXLAB_WRITE_GOLDEN === '1') writeFileSync(FIXTURE, JSON.stringify(actual, null, 1) + '\n')
    const expected = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, string>
    const variants = allArchPlugins().reduce((n, p) => n + p.variants.length, 0)
    expect(Object.keys(actual).length).toBe(builtinScenarioNames().length * KERNELS.length * variants + 2 * KERNELS.length)
    expect(actual).toEqual(expected)
    // Every built-in scenario on 1,200-odd kernel x arch combinations: minutes on a loaded 2-core machine.
  }, 600_000)
})
