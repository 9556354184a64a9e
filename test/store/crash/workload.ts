/**
 * Deterministic runs for the crash test: run k of seed s is always the same, so the parent can tell
 * a complete stored run from a half-written one by rebuilding what it must contain. Pure (no arch
 * plugins), so the child starts fast.
 */
import { EVENT_KIND_NAMES, EventKind } from '../../../main/sim/events'
import type { RunResult, StepResult, Violation } from '../../../main/sim/result'
import { Trace } from '../../../main/sim/trace'
import type { SaveRunInput } from '../../../main/store/types'
import { xorshift32 } from '../random'

/** A generator for run k of a seed. */
export function random(seed: number, k = 0): (n: number) => number {
  return xorshift32(seed ^ Math.imul(k + 1, 0x9e3779b1))
}

export const scenarioName = (seed: number, k: number) => `crash-${seed}-${k}`

/** Run k: up to 12k events over several chunks, up to 800 steps and 500 violations, some in a session. */
export function crashRun(seed: number, k: number): SaveRunInput {
  const r = random(seed, k)
  const events = 1 + r(12_000)
  const steps: StepResult[] = Array.from({ length: 1 + r(800) }, (_, index) => ({
    index,
    op: ['access', 'gup', 'unpin', 'munmap'][index % 4]!,
    task: index % 7 ? 'main' : 'dio',
    status: index % 11 ? 'ok' : 'error',
    waited: index % 13 === 0,
    ...(index % 11 ? {} : { error: 'EBUSY' }),
    ...(index % 5 ? {} : { message: `step ${index} of run ${k}` }),
  }))
  const violations: Violation[] = Array.from({ length: r(3) ? 0 : r(500) }, (_, i) => ({ kind: 'refcount_underflow', step: i % steps.length, message: `v${i}`, pfn: '0x' + (0x240000 + i).toString(16) }))
  const trace = new Trace()
  for (let i = 0; i < events; i++) {
    trace.setContext(Math.floor((i * steps.length) / events), i % 3 ? 'main' : 'dio')
    const kind = (i * 7 + k) % EVENT_KIND_NAMES.length
    trace.emit(kind as EventKind, 0x240000 + (i % 4096), i % 9, (i % 9) + 1, `cause ${(i + k) % 17}`, 'none', kind === EventKind.ENTRY_SET ? BigInt(i) << 12n : 0n)
  }
  const result: RunResult = {
    format: 'daxlab-run/1',
    kernel: '6.17',
    scheme: 'refcounted',
    quirks: [],
    arch: 'x86',
    variant: '4level',
    scenario: scenarioName(seed, k),
    profile: 'crash-machine',
    steps,
    folios: [],
    pgmaps: [],
    violations,
    blocked: [],
    events,
  }
  return {
    result,
    trace,
    scenarioText: `# crash test run ${k}\n`,
    profile: { name: 'crash-machine', arch: 'x86', regions: [{ name: 'pmem0', type: 'fsdax', size: 2 ** 30 }] } as SaveRunInput['profile'],
    ...(k % 4 === 0 ? { session: `crash-session-${k % 3}` } : {}),
  }
}
