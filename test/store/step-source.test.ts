/**
 * A run's finished steps are kept as columns and their objects made when read (main/sim/settled-steps.ts,
 * ADR 0031). What a reader gets must be what the scheduler's own objects were: the same JSON from
 * `result.steps`, from the store's StepSource a range at a time, from a structured clone, and the
 * same packed record chunks as a plain copy of the result, on every built-in scenario (waits, queued
 * steps, kills, errors, signals and extras included).
 */
import { describe, expect, it } from 'vitest'
import { builtinScenario, builtinScenarioNames, resolveProfile } from '../../main/library/index'
import { runScenario } from '../../main/sim/run'
import { STEP_SOURCE, stepSourceOf, type RunResult } from '../../main/sim/result'
import { prepareTail } from '../../main/store/prepared-run'

const KERNELS = ['6.14', '6.17']

function run(name: string, kernel: string): RunResult {
  const scenario = builtinScenario(name)!
  return runScenario(scenario, resolveProfile(scenario, name), { kernel }).result
}

/** Packed step chunks of `result` as hex, in small chunks so ranges cross many boundaries. */
function packedSteps(result: RunResult): string[] {
  return prepareTail(result, result.events, ['main'], [], 3)
    .records.filter((r) => r.kind === 'steps')
    .map((r) => `${r.first}+${r.count}:${r.checksum}:${Buffer.from(r.data).toString('hex')}`)
}

describe('step results made when read', () => {
  for (const name of builtinScenarioNames()) {
    for (const kernel of KERNELS) {
      it(`${name} ${kernel}: the store's ranges, the steps and a clone agree`, () => {
        let result: RunResult
        try {
          result = run(name, kernel)
        } catch {
          return // a scenario this kernel refuses (tested elsewhere)
        }
        // Packed before anything read `steps`: from the source, a chunk at a time.
        const fromSource = packedSteps(result)
        const source = stepSourceOf(result)
        const ranges = JSON.stringify(Array.from({ length: Math.ceil(source.count / 5) }, (_, k) => source.range(5 * k, Math.min(5, source.count - 5 * k))).flat())
        // The source is hidden from JSON, spreads and clones (a concurrent part has none: read through steps).
        if (!builtinScenario(name)!.concurrent) expect(Object.getOwnPropertyDescriptor(result, STEP_SOURCE)?.enumerable).toBe(false)
        const plain = JSON.parse(JSON.stringify(result)) as RunResult
        expect(JSON.stringify(result.steps)).toBe(ranges)
        expect(JSON.stringify(structuredClone(result))).toBe(JSON.stringify(plain))
        expect(Object.keys(result)).toEqual(Object.keys(plain))
        expect(packedSteps(plain)).toEqual(fromSource)
        // Read once, `steps` is a plain array property: the same array every time, and writable.
        expect(result.steps).toBe(result.steps)
        expect(Object.getOwnPropertyDescriptor(result, 'steps')).toMatchObject({ writable: true, enumerable: true })
      })
    }
  }
})
