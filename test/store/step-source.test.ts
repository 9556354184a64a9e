/**
 * A run's finished steps are kept as columns and their objects made when read (main/sim/settled-steps.ts,
 * ADR 0031). What a reader gets must be what the scheduler's own objects were: the same JSON from
 * `result.steps`, from the store's StepSource a range at a time, from a structured clone, and the
 * same packed record chunks as a plain copy of the result, on every built-in scenario (waits, queued
 * steps, kills, errors, signals and extras included).
 */
import { describe, expect, it, vi } from 'vitest'
import { builtinScenario, builtinScenarioNames, resolveProfile } from '../../main/library/index'
import { runScenario } from '../../main/sim/run'
import { SettledSteps } from '../../main/sim/settled-steps'
import { STEP_SOURCE, stepSourceOf, type RunResult } from '../../main/sim/result'
import { prepareTail } from '../../main/store/prepared-run'
import type { Profile } from '../../main/formats/profile'
import type { Scenario } from '../../main/formats/scenario'
import { builtinProfile } from '../../main/library/index'
import { devdaxMix, fsdax4k } from '../bench/workloads'

const KERNELS = ['6.14', '6.17']

function run(name: string, kernel: string): RunResult {
  const scenario = builtinScenario(name)!
  return runScenario(scenario, resolveProfile(scenario, name), { kernel }).result
}

/** Packed step chunks of `result` as hex, in small chunks so ranges cross many boundaries. */
function packedSteps(result: RunResult, chunkRecords = 3): string[] {
  return prepareTail(result, result.events, ['main'], [], chunkRecords)
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

/**
 * Two tasks pin and unpin alike in turn, so their results differ only in `task`; a pin of a range not
 * yet mapped notes the gup-fast bail and a later one of the same range does not, so results differ only
 * in their notes. A packer that took a template of the wrong task or notes would write other bytes.
 */
function twoTaskPins(): Scenario {
  const steps: Scenario['steps'] = []
  for (const task of ['a', 'b']) steps.push({ op: 'mmap', task, args: { id: 'm', offset: 0, length: 1 << 30, shared: true, sync: false, device: 'dax0' } })
  for (let i = 0; i < 400; i++) {
    for (const task of ['a', 'b']) {
      const id = `${task}${i}`
      steps.push({ op: 'gup', task, args: { id, map: 'm', offset: ((i * 7) % 64) * 2 ** 21, pages: 16, pin: true, longterm: false, fast: true, write: false, p2pdma: false } })
      steps.push({ op: 'unpin', task, args: { gup: id } })
    }
  }
  return { name: 'two-task-pins', description: 'result classes', profile: devdaxMix(1).profile, steps }
}

/**
 * The engine's StepSource gives each kept result a class (SettledSteps.classOf), and the packer refers
 * a classed result to the template of its class, op and task without comparing values. The chunks
 * must be the bytes the comparisons alone give, which a plain JSON copy of the result (no source, no
 * classes) gets: in chunks long enough for templates to be reused, on every built-in scenario and on
 * the bench's workloads (many tasks' and ops' results, errors, waits and notes lists).
 */
describe('result classes pack to the bytes the comparisons give', () => {
  const workloads: [string, () => { scenario: Scenario; profile: Profile }][] = [
    ['devdax mix', () => ({ scenario: devdaxMix(4000, 1000), profile: devdaxMix(1).profile as Profile })],
    ['two tasks, notes that come and go', () => ({ scenario: twoTaskPins(), profile: devdaxMix(1).profile as Profile })],
    ['fsdax 4k', () => ({ scenario: fsdax4k(builtinProfile('x86-pmem-1tib')!, 3000, 900), profile: builtinProfile('x86-pmem-1tib')! })],
  ]
  for (const kernel of KERNELS) {
    it(`built-in scenarios, ${kernel}`, () => {
      let classed = 0
      for (const name of builtinScenarioNames()) {
        let result: RunResult
        try {
          result = run(name, kernel)
        } catch {
          continue
        }
        const source = stepSourceOf(result)
        if (source.classes) classed += Array.from(source.classes(0, source.count)).filter((c) => c !== 0).length
        // Packed before `steps` is read: reading it makes every result an object, which has no class.
        const packed = [64, 8192].map((chunk) => packedSteps(result, chunk))
        const plain = JSON.parse(JSON.stringify(result)) as RunResult
        expect(packed, name).toEqual([64, 8192].map((chunk) => packedSteps(plain, chunk)))
      }
      expect(classed).toBeGreaterThan(100)
    })
    for (const [name, make] of workloads) {
      it(`${name}, ${kernel}`, () => {
        const { scenario, profile } = make()
        const result = runScenario(scenario, profile, { kernel }).result
        const source = stepSourceOf(result)
        expect(Array.from(source.classes!(0, source.count)).filter((c) => c !== 0).length).toBeGreaterThan(source.count / 2)
        const packed = [64, 8192].map((chunk) => packedSteps(result, chunk))
        const plain = JSON.parse(JSON.stringify(result)) as RunResult
        // Read, the results are objects: no classes any more, the comparisons alone.
        expect(Array.from(source.classes!(0, source.count)).every((c) => c === 0)).toBe(true)
        expect(packed).toEqual([64, 8192].map((chunk) => packedSteps(plain, chunk)))
      })
    }
  }

  it('packing makes the objects of only those classed results it does not refer to an earlier one', () => {
    const { result } = runScenario(devdaxMix(4000, 1000), devdaxMix(1).profile as Profile, { kernel: '6.17' })
    const source = stepSourceOf(result)
    const classed = Array.from(source.classes!(0, source.count)).filter((c) => c !== 0).length
    const make = vi.spyOn(SettledSteps.prototype, 'make')
    try {
      packedSteps(result, 8192)
      // One whole result per class, op and task a chunk starts (a template), not one per result.
      expect(make.mock.calls.length).toBeGreaterThan(0)
      expect(make.mock.calls.length).toBeLessThan(classed / 100)
    } finally {
      make.mockRestore()
    }
  })
})
