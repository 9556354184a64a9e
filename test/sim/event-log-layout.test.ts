/**
 * The event log stores step and task as runs and entries as a sparse list (ADR 0026); every reader
 * (columns(), the flat getters, copyRange(), decode()) must see exactly the 9 flat columns the events
 * were pushed with. Checked against a plain reference over chunk boundaries, budget-cut chunks and
 * runs that span pushes of both kinds.
 */
import { describe, expect, it } from 'vitest'
import { EventKind, EventLog } from '../../main/sim/events'
import { xorshift32 } from '../store/random'

interface Pushed {
  step: number
  task: number
  kind: number
  level: number
  pfn: number
  before: number
  after: number
  cause: number
  entry: bigint
}

/** A log filled with `n` pseudo-random events (steps and tasks in runs, entries on 1 event in 4), and what was pushed. */
function filled(n: number, firstChunk: number, seed: number): { log: EventLog; pushed: Pushed[] } {
  const random = xorshift32(seed)
  const log = new EventLog(firstChunk)
  const pushed: Pushed[] = []
  let step = -1
  let task = 0
  for (let i = 0; i < n; i++) {
    if (random(6) === 0) step += 1 + random(3)
    if (random(20) === 0) task = random(5)
    const pfn = 0x100000 + random(1 << 20)
    const before = random(2000) - 2
    if (random(4) === 0) {
      const entry = (BigInt(random(1 << 30)) << 20n) | BigInt(random(4096))
      const e: Pushed = { step, task, kind: EventKind.ENTRY_SET, level: 1 + random(3), pfn, before, after: 0, cause: random(40), entry }
      log.push(e.step, e.task, EventKind.ENTRY_SET, e.level, e.pfn, e.before, e.after, e.cause, e.entry)
      pushed.push(e)
    } else {
      const e: Pushed = { step, task, kind: EventKind.REFCOUNT, level: 0, pfn, before, after: before + 1, cause: random(40), entry: 0n }
      log.pushCount(e.step, e.task, EventKind.REFCOUNT, e.pfn, e.before, e.after, e.cause)
      pushed.push(e)
    }
  }
  return { log, pushed }
}

const COLUMNS = ['step', 'task', 'kind', 'level', 'pfn', 'before', 'after', 'cause', 'entry'] as const

describe('event log layout: runs and sparse entries read back as flat columns', () => {
  for (const [n, first] of [
    [0, 1024],
    [1, 1],
    [37, 4],
    [5000, 16],
    [100_000, 1024],
  ] as const) {
    it(`${n} events from a first chunk of ${first}: columns(), getters, copyRange() and decode() agree with what was pushed`, () => {
      const { log, pushed } = filled(n, first, 7 + n)
      const cols = log.columns()
      expect(cols.count).toBe(n)
      for (const name of COLUMNS) {
        expect(cols[name].length).toBe(n)
        const want = pushed.map((e) => e[name])
        expect(Array.from(cols[name] as ArrayLike<number | bigint>)).toEqual(want)
        expect(Array.from(log[name] as ArrayLike<number | bigint>)).toEqual(want)
      }
      // Slices that start and end inside chunks and runs.
      const random = xorshift32(99)
      for (let k = 0; k < 20 && n > 0; k++) {
        const a = random(n)
        const b = a + random(n - a + 1)
        const part = log.copyRange(a, b)
        expect(part.count).toBe(b - a)
        for (const name of COLUMNS) expect(Array.from(part[name] as ArrayLike<number | bigint>)).toEqual(pushed.slice(a, b).map((e) => e[name]))
      }
      for (let k = 0; k < 50 && n > 0; k++) {
        const i = random(n)
        const e = pushed[i]!
        const d = log.decode(i)
        expect(d.seq).toBe(i)
        expect(d.step).toBe(e.step)
        expect(d.pfn).toBe(e.pfn)
        expect(d.entry).toBe(e.kind === EventKind.ENTRY_SET ? e.entry : undefined)
        expect(d.task).toBe(log.tasks[e.task] ?? '?')
      }
    })
  }

  it('keeps count apart from what is stored: columns() reports the count field, the arrays what the chunks hold', () => {
    const { log } = filled(10, 4, 3)
    log.count = 20
    const cols = log.columns()
    expect(cols.count).toBe(20)
    expect(cols.pfn.length).toBe(10)
  })

  it('an entry of 0 reads 0 and a step repeated after another step starts a new run', () => {
    const log = new EventLog(4)
    log.push(1, 0, EventKind.ENTRY_SET, 1, 10, 0, 0, 0, 0n)
    log.pushCount(2, 0, EventKind.REFCOUNT, 11, 0, 1, 0)
    log.pushCount(1, 0, EventKind.REFCOUNT, 12, 1, 2, 0)
    log.push(1, 1, EventKind.ENTRY_CLEAR, 2, 13, 0, 0, 0, 0xffff_ffff_ffff_ffffn)
    log.pushCount(1, 1, EventKind.REFCOUNT, 14, 2, 1, 0)
    expect(Array.from(log.step)).toEqual([1, 2, 1, 1, 1])
    expect(Array.from(log.task)).toEqual([0, 0, 0, 1, 1])
    expect(Array.from(log.entry)).toEqual([0n, 0n, 0n, 0xffff_ffff_ffff_ffffn, 0n])
  })
})
