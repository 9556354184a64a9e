/**
 * Issue 6: work in one step is proportional to the extents and folios touched, never to the byte
 * length of a range; what would still exceed the documented budget is refused with an error naming
 * the step and the limit. Every case here must finish in well under a second.
 */
import { describe, expect, it } from 'vitest'
import type { Profile } from '../../main/formats/profile'
import type { Step } from '../../main/formats/scenario'
import { BudgetError, EventLogLimitError, MAX_TASKS, runScenario, STEP_BUDGET } from '../../main/sim/run'
import { EventKind, EventLog, MAX_CAUSES } from '../../main/sim/events'
import { RUN_EVENT_BUDGET } from '../../main/sim/budget'
import { runYaml } from './helpers'

const SMALL_FS = `profile:
  name: small
  arch: x86
  regions:
    - {name: pmem0, type: fsdax, size: 16GiB, fs: xfs, mount: /mnt/pmem0}`

function scenario(steps: string): string {
  return `name: budget\ndescription: bounded work\n${SMALL_FS}\nsteps:\n${steps}`
}

/** Runs the scenario and returns the result with the time it took. */
function timed(text: string, kernel = '6.17') {
  const start = performance.now()
  const out = runYaml(text, kernel)
  return { ...out, ms: performance.now() - start }
}

describe('work proportional to extents, not bytes', () => {
  it('write of 4 PiB over a hole on a 16 GiB filesystem fails at once with ENOSPC and allocates nothing', () => {
    const { result, ms } = timed(
      scenario(`  - create: {file: /mnt/pmem0/a, length: 0, sparse: true}
  - write: {file: /mnt/pmem0/a, offset: 0, length: 4PiB}
  - write: {file: /mnt/pmem0/a, offset: 0, length: 15GiB}
  - probe: {label: p, file: /mnt/pmem0/a, offset: 15GiB}`),
    )
    expect(result.steps[1]).toMatchObject({ status: 'error', error: 'ENOSPC' })
    expect(result.steps[1]!.message).toMatch(/needs 1099511627776 more blocks, 4194304 are free/)
    // Nothing was half-allocated: the whole 15 GiB still fits afterwards.
    expect(result.steps[2]).toMatchObject({ status: 'ok' })
    expect(ms).toBeLessThan(1000)
  })

  it('write of 4 TiB over a hole on the 1 TiB profile fails at once; 512 GiB succeeds at once', () => {
    const text = `name: big
description: 1 TiB
profile: x86-pmem-1tib
steps:
  - create: {file: /mnt/pmem0/a, length: 0, sparse: true}
  - write: {file: /mnt/pmem0/a, offset: 0, length: 4TiB}
  - write: {file: /mnt/pmem0/a, offset: 1GiB, length: 512GiB}
  - write: {file: /mnt/pmem0/a, offset: 0, length: 600GiB}
  - probe: {label: p, file: /mnt/pmem0/a, offset: 599GiB}
`
    const { result, ms } = timed(text)
    expect(result.steps.map((s) => s.error ?? s.status)).toEqual(['ok', 'ENOSPC', 'ok', 'ok', 'ok'])
    expect(result.steps[4]!.probe!.pfn).not.toBeNull()
    expect(ms).toBeLessThan(1000)
  })

  it('write ending past 2^53 - 1 bytes is EFBIG, not a precision accident', () => {
    const { result } = timed(
      scenario(`  - create: {file: /mnt/pmem0/a, length: 0, sparse: true}
  - write: {file: /mnt/pmem0/a, offset: 4PiB, length: 4PiB}
  - write: {file: /mnt/pmem0/a, offset: 0, length: 9007199254740991}`),
    )
    expect(result.steps[1]).toMatchObject({ status: 'error', error: 'EFBIG' })
    expect(result.steps[2]).toMatchObject({ status: 'error', error: 'ENOSPC' })
  })

  it('mlock over 1 PiB is refused before it starts, naming the step and the budget', () => {
    const text = scenario(`  - create: {file: /mnt/pmem0/a, length: 1PiB, sparse: true}
  - mmap: {id: m, file: /mnt/pmem0/a, length: 1PiB}
  - mlock: {map: m}`)
    const start = performance.now()
    expect(() => runYaml(text, '6.17')).toThrow(BudgetError)
    expect(() => runYaml(text, '6.17')).toThrow(/step 2 \(mlock\): __mm_populate of 1125899906842624 bytes .* per-step work budget of 1,048,576/)
    expect(performance.now() - start).toBeLessThan(1000)
  })

  it('mlock of a 1 PiB mapping of a small file stops at EOF (ENOMEM), as before', () => {
    const { result, ms } = timed(
      scenario(`  - create: {file: /mnt/pmem0/a, length: 4MiB}
  - mmap: {id: m, file: /mnt/pmem0/a, length: 1PiB}
  - mlock: {map: m}`),
    )
    expect(result.steps[2]).toMatchObject({ status: 'error', error: 'ENOMEM' })
    expect(ms).toBeLessThan(1000)
  })

  it('gup of 10^11 pages is refused at once; past the mapping it stays EFAULT', () => {
    const text = scenario(`  - create: {file: /mnt/pmem0/a, length: 1PiB, sparse: true}
  - mmap: {id: m, file: /mnt/pmem0/a, length: 1PiB}
  - gup: {id: g, map: m, pages: 100000000000}`)
    const start = performance.now()
    expect(() => runYaml(text, '6.17')).toThrow(/step 2 \(gup\): gup of 100000000000 pages exceeds the per-step work budget/)
    const small = runYaml(text.replace('length: 1PiB}\n  - gup', 'length: 1GiB}\n  - gup'), '6.17').result
    expect(small.steps[2]).toMatchObject({ status: 'error', error: 'EFAULT' })
    expect(performance.now() - start).toBeLessThan(1000)
  })

  it('the budget is STEP_BUDGET (2^20): one page more is refused', () => {
    expect(STEP_BUDGET).toBe(1 << 20)
    const text = scenario(`  - create: {file: /mnt/pmem0/a, length: 8GiB}
  - mmap: {id: m, file: /mnt/pmem0/a, length: 8GiB}
  - gup: {id: g, map: m, pages: ${STEP_BUDGET + 1}}`)
    expect(() => runYaml(text, '6.17')).toThrow(BudgetError)
  })
})

describe('task ids fit the trace', () => {
  it(`refuses a run with more than ${MAX_TASKS} tasks before it starts, never wrapping`, () => {
    const steps: Step[] = Array.from({ length: MAX_TASKS + 1 }, (_, i) => ({ op: 'probe', task: `t${i}`, args: { region: 'pmem0', offset: 0 } }) as Step)
    const profile: Profile = { name: 'p', arch: 'x86', regions: [{ name: 'pmem0', type: 'fsdax', size: 2 ** 30, fs: 'ext4', mount: '/mnt/pmem0' }] }
    const start = performance.now()
    expect(() => runScenario({ name: 'many', description: 'tasks', profile, steps }, profile, { kernel: '6.17' })).toThrow(EventLogLimitError)
    expect(() => runScenario({ name: 'many', description: 'tasks', profile, steps }, profile, { kernel: '6.17' })).toThrow(/names 65536 tasks; a run may have at most 65535/)
    expect(performance.now() - start).toBeLessThan(1000)
  })

  it('the event log itself refuses the 65,536th task name instead of wrapping its Uint16 id', () => {
    const log = new EventLog()
    for (let i = 0; i < MAX_TASKS; i++) log.taskId(`t${i}`)
    expect(log.taskId('t65534')).toBe(65534)
    expect(() => log.taskId('one-too-many')).toThrow(EventLogLimitError)
  })
})

describe('per-run limits of the event log', () => {
  it(`holds exactly its event budget (${RUN_EVENT_BUDGET} by default) and refuses one more`, () => {
    expect(RUN_EVENT_BUDGET).toBe(2 ** 25)
    const log = new EventLog(4, 10)
    for (let i = 0; i < 10; i++) log.push(i, 0, EventKind.REFCOUNT, 0, i, 0, 1, 0)
    expect(() => log.push(10, 0, EventKind.REFCOUNT, 0, 10, 0, 1, 0)).toThrow(BudgetError)
    expect(() => log.push(10, 0, EventKind.REFCOUNT, 0, 10, 0, 1, 0)).toThrow(/more than 10 trace events/)
    expect(log.columns().pfn).toEqual(new Float64Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
  })

  it(`refuses the ${MAX_CAUSES + 1}th distinct cause instead of wrapping its Uint16 id`, () => {
    const log = new EventLog()
    for (let i = 0; i < MAX_CAUSES; i++) log.causeId(`c${i}`)
    expect(log.causeId('c0')).toBe(0)
    expect(() => log.causeId('one-too-many')).toThrow(EventLogLimitError)
  })
})
