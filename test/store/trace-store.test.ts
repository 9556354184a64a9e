import Database from 'better-sqlite3'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { TraceEvent } from '../../main/sim/events'
import type { RunResult, Violation } from '../../main/sim/result'
import { TraceStore } from '../../main/store/trace-store'
import type { SaveRunInput } from '../../main/store/types'
import { realRun, syntheticRun, tempDir } from './helpers'

function allEvents(input: SaveRunInput): TraceEvent[] {
  const log = input.trace.events
  return Array.from({ length: log.count }, (_, i) => log.decode(i))
}

/** Row counts per table, read through a separate connection after the store is closed. */
function tableCounts(file: string): Record<string, number> {
  const db = new Database(file, { readonly: true })
  try {
    const out: Record<string, number> = {}
    for (const t of ['profiles', 'scenarios', 'sessions', 'runs', 'run_records', 'run_violation_kinds', 'run_strings', 'event_chunks']) {
      out[t] = db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number
    }
    return out
  } finally {
    db.close()
  }
}

describe('TraceStore round trip', () => {
  it('keeps a real run: summary, result JSON, scenario text and every event', () => {
    const file = join(tempDir(), 'nested', 'dirs', 'daxlab.sqlite')
    const input = realRun('fsdax-pin-unpin', '6.17')
    const store = TraceStore.open(file)
    const before = Date.now()
    const id = store.saveRun(input)
    store.close()
    expect(existsSync(file)).toBe(true)

    const reopened = TraceStore.open(file) // read back through a fresh connection, not a cache
    try {
      const [summary] = reopened.listRuns()
      expect(summary).toEqual({
        id,
        scenario: 'fsdax-pin-unpin',
        kernel: input.result.kernel,
        scheme: input.result.scheme,
        arch: input.result.arch,
        variant: input.result.variant,
        profile: input.result.profile,
        session: null,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        steps: input.result.steps.length,
        violations: input.result.violations.length,
        blocked: input.result.blocked.length,
        events: input.trace.events.count,
      })
      expect(Date.parse(summary!.createdAt)).toBeGreaterThanOrEqual(before - 1000)
      const run = reopened.getRun(id)!
      expect(run.summary).toEqual(summary)
      expect(run.result).toEqual(JSON.parse(JSON.stringify(input.result)))
      expect(run.scenarioText).toBe(input.scenarioText)

      const events = reopened.getEvents(id)
      expect(events.length).toBeGreaterThan(0)
      expect(events).toEqual(allEvents(input))
      const entries = events.filter((e) => e.kind === 'entry_set')
      expect(entries.length).toBeGreaterThan(0)
      for (const e of entries) expect(typeof e.entry).toBe('bigint')
      expect(reopened.getRun(id + 1000)).toBeUndefined()
      expect(reopened.getEvents(id + 1000)).toEqual([])
    } finally {
      reopened.close()
    }
  })

  it('round-trips events across many chunks, including 64-bit entry values', () => {
    const file = join(tempDir(), 'db.sqlite')
    const input = syntheticRun(1000)
    const store = TraceStore.open(file, { chunkEvents: 64 })
    const id = store.saveRun(input)
    expect(store.getEvents(id)).toEqual(allEvents(input))
    expect(store.getEvents(id).some((e) => e.entry !== undefined && e.entry >= 2n ** 63n)).toBe(true)
    store.close()
    expect(tableCounts(file).event_chunks).toBe(Math.ceil(1000 / 64))
  })

  it('keeps steps and violations packed, not in the result, and gives the result back byte for byte', () => {
    const file = join(tempDir(), 'db.sqlite')
    const base = realRun('fsdax-read-fault')
    // 403 steps and 203 violations over 100-record chunks: full chunks and a short tail.
    const steps = Array.from({ length: 403 }, (_, i) => ({ ...base.result.steps[i % base.result.steps.length]!, index: i }))
    const violations: Violation[] = Array.from({ length: 203 }, (_, i) => ({ kind: i % 2 ? 'refcount_underflow' : 'task_blocked', step: i, message: `v${i}`, ...(i % 3 ? { pfn: '0x' + i.toString(16) } : {}) }))
    const input = { ...base, result: { ...base.result, steps, violations } }
    const store = TraceStore.open(file, { chunkRecords: 100 })
    const id = store.saveRun(input)
    expect(JSON.stringify(store.getRun(id)!.result, null, 2)).toBe(JSON.stringify(input.result, null, 2))
    expect(store.listRuns()[0]!.steps).toBe(403)
    store.close()
    const db = new Database(file, { readonly: true })
    expect(db.prepare('SELECT layout FROM runs').pluck().get()).toBe(2)
    const stored = JSON.parse(db.prepare('SELECT result FROM runs').pluck().get() as string) as RunResult
    expect(stored.steps).toEqual([]) // not duplicated in the result row
    expect(stored.violations).toEqual([])
    const chunks = db.prepare('SELECT kind, first, count FROM run_records WHERE run_id = ? ORDER BY kind, chunk_no').all(id)
    expect(chunks).toEqual([
      ...[0, 100, 200, 300, 400].map((first) => ({ kind: 'steps', first, count: first === 400 ? 3 : 100 })),
      ...[0, 100, 200].map((first) => ({ kind: 'violations', first, count: first === 200 ? 3 : 100 })),
    ])
    expect(db.prepare('SELECT kind, count FROM run_violation_kinds ORDER BY kind').all()).toEqual([
      { kind: 'refcount_underflow', count: 101 },
      { kind: 'task_blocked', count: 102 },
    ])
    expect(db.prepare('SELECT count(*) FROM run_steps').pluck().get()).toBe(0)
    db.close()
  })

  it('deduplicates profiles and scenarios and deletes a run with everything it owns', () => {
    const file = join(tempDir(), 'db.sqlite')
    const store = TraceStore.open(file)
    const a = store.saveRun(realRun('fsdax-pin-unpin', '6.14'))
    const b = store.saveRun(realRun('fsdax-pin-unpin', '6.17'))
    const c = store.saveRun(realRun('fsdax-read-fault', '6.17'))
    expect(store.deleteRun(b)).toBe(true)
    expect(store.deleteRun(b)).toBe(false)
    expect(store.getRun(b)).toBeUndefined()
    expect(store.getEvents(b)).toEqual([])
    expect(store.listRuns().map((r) => r.id)).toEqual([c, a])
    expect(store.deleteRun(c)).toBe(true)
    const d = store.saveRun(realRun('fsdax-read-fault', '6.15'))
    expect(d).toBeGreaterThan(c) // ids are never reused
    store.close()
    const counts = tableCounts(file)
    expect(counts.runs).toBe(2)
    expect(counts.profiles).toBe(1) // both scenarios run on x86-pmem-fsdax
    expect(counts.scenarios).toBe(2)
    expect(counts.event_chunks).toBe(2)
  })
})

describe('TraceStore file settings', () => {
  it('uses WAL so a second handle (the app next to the CLI) reads while another writes', () => {
    const file = join(tempDir(), 'db.sqlite')
    const writer = TraceStore.open(file)
    const reader = TraceStore.open(file)
    try {
      const id = writer.saveRun(realRun('fsdax-pin-unpin'))
      expect(reader.listRuns().map((r) => r.id)).toEqual([id])
      expect(reader.getEvents(id)).toHaveLength(writer.getEvents(id).length)
    } finally {
      writer.close()
      reader.close()
    }
    const db = new Database(file, { readonly: true })
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(db.pragma('page_size', { simple: true })).toBe(32768)
    db.close()
  })

  it('keeps the 8 KiB pages of a store made before 32 KiB pages, and saves and reads runs in it as before', () => {
    const file = join(tempDir(), 'db.sqlite')
    TraceStore.open(file).close()
    // Rewritten with 8 KiB pages, as stores made by earlier builds are (the size only changes by VACUUM outside WAL mode).
    const old = new Database(file)
    old.pragma('journal_mode = DELETE')
    old.pragma('page_size = 8192')
    old.exec('VACUUM')
    old.pragma('journal_mode = WAL')
    expect(old.pragma('page_size', { simple: true })).toBe(8192)
    old.close()
    const run = realRun('fsdax-pin-unpin')
    const store = TraceStore.open(file)
    const id = store.saveRun(run)
    store.close()
    const reader = TraceStore.open(file)
    try {
      expect(JSON.stringify(reader.getRun(id)!.result)).toBe(JSON.stringify(run.result))
      expect(reader.getEvents(id)).toHaveLength(run.trace.events.count)
      expect(reader.check()).toMatchObject({ ok: true, problems: [] })
    } finally {
      reader.close()
    }
    const db = new Database(file, { readonly: true })
    expect(db.pragma('page_size', { simple: true })).toBe(8192)
    db.close()
  })
})

describe('TraceStore queries', () => {
  it('filters events by fromSeq, limit, kinds and step like a scan of the log would', () => {
    const input = syntheticRun(2000)
    const store = TraceStore.open(join(tempDir(), 'db.sqlite'), { chunkEvents: 100 })
    try {
      const id = store.saveRun(input)
      const all = allEvents(input)
      const cases: { query: Parameters<typeof store.getEvents>[1]; keep: (e: TraceEvent) => boolean }[] = [
        { query: { fromSeq: 950 }, keep: (e) => e.seq >= 950 },
        { query: { kinds: ['wait', 'entry_set'] }, keep: (e) => e.kind === 'wait' || e.kind === 'entry_set' },
        { query: { step: 77 }, keep: (e) => e.step === 77 },
        { query: { step: 77, kinds: ['refcount'] }, keep: (e) => e.step === 77 && e.kind === 'refcount' },
        { query: { fromSeq: 1500, kinds: ['pincount'] }, keep: (e) => e.seq >= 1500 && e.kind === 'pincount' },
        { query: { step: 100000 }, keep: () => false },
        { query: { kinds: [] }, keep: () => false },
      ]
      for (const { query, keep } of cases) expect(store.getEvents(id, query), JSON.stringify(query)).toEqual(all.filter(keep))
      expect(store.getEvents(id, { fromSeq: 150, limit: 30 })).toEqual(all.slice(150, 180))
      expect(store.getEvents(id, { kinds: ['wake'], limit: 5 })).toEqual(all.filter((e) => e.kind === 'wake').slice(0, 5))
      expect(store.getEvents(id, { limit: 0 })).toEqual([])
      expect(() => store.getEvents(id, { kinds: ['refcnt'] })).toThrow(/unknown event kind 'refcnt'/)
    } finally {
      store.close()
    }
  })

  it('lists runs by session, scenario and kernel, newest first', () => {
    const store = TraceStore.open(join(tempDir(), 'db.sqlite'))
    try {
      const r1 = store.saveRun(realRun('fsdax-pin-unpin', '6.14', 'bisect'))
      const r2 = store.saveRun(realRun('fsdax-pin-unpin', '6.17', 'bisect'))
      const r3 = store.saveRun(realRun('fsdax-read-fault', '6.17'))
      const ids = (f: Parameters<typeof store.listRuns>[0]) => store.listRuns(f).map((r) => r.id)
      expect(ids({})).toEqual([r3, r2, r1])
      expect(ids({ session: 'bisect' })).toEqual([r2, r1])
      expect(ids({ scenario: 'fsdax-read-fault' })).toEqual([r3])
      expect(ids({ kernel: '6.17' })).toEqual([r3, r2])
      expect(ids({ kernel: '6.17', session: 'bisect' })).toEqual([r2])
      expect(ids({ limit: 2 })).toEqual([r3, r2])
      expect(ids({ session: 'nope' })).toEqual([])
      expect(store.listRuns({ session: 'bisect' })[0]!.session).toBe('bisect')
    } finally {
      store.close()
    }
  })

  it('keeps violations queryable by run, kind and session', () => {
    const store = TraceStore.open(join(tempDir(), 'db.sqlite'))
    try {
      const withViolations = (input: SaveRunInput, violations: Violation[]): SaveRunInput => ({ ...input, result: { ...input.result, violations } })
      const a = store.saveRun(
        withViolations(realRun('fsdax-pin-unpin', '6.17', 's1'), [
          { kind: 'refcount_underflow', step: 5, message: 'folio_put() on a free folio', pfn: '0x240000' },
          { kind: 'task_blocked', step: 6, message: 'truncate waits forever' },
        ]),
      )
      const b = store.saveRun(withViolations(realRun('fsdax-read-fault', '6.17'), [{ kind: 'task_blocked', step: 2, message: 'x' }]))
      expect(store.listRuns().find((r) => r.id === a)!.violations).toBe(2)
      expect(store.listViolations({ runId: a })).toEqual([
        { runId: a, kind: 'refcount_underflow', step: 5, message: 'folio_put() on a free folio', pfn: '0x240000' },
        { runId: a, kind: 'task_blocked', step: 6, message: 'truncate waits forever', pfn: null },
      ])
      expect(store.listViolations({ kind: 'task_blocked' }).map((v) => v.runId)).toEqual([a, b])
      expect(store.listViolations({ session: 's1', kind: 'task_blocked' }).map((v) => v.step)).toEqual([6])
      expect(store.listViolations()).toHaveLength(3)
    } finally {
      store.close()
    }
  })

  it('creates sessions on first use and counts their runs', () => {
    const file = join(tempDir(), 'db.sqlite')
    const store = TraceStore.open(file)
    try {
      expect(store.listSessions()).toEqual([])
      store.saveRun(realRun('fsdax-pin-unpin', '6.14', 'beta'))
      store.saveRun(realRun('fsdax-pin-unpin', '6.15', 'alpha'))
      const last = store.saveRun(realRun('fsdax-pin-unpin', '6.17', 'beta'))
      store.saveRun(realRun('fsdax-read-fault', '6.17'))
      const sessions = store.listSessions()
      expect(sessions.map(({ name, runs }) => ({ name, runs }))).toEqual([
        { name: 'alpha', runs: 1 },
        { name: 'beta', runs: 2 },
      ])
      for (const s of sessions) expect(Number.isNaN(Date.parse(s.createdAt))).toBe(false)
      store.deleteRun(last)
      expect(store.listSessions().find((s) => s.name === 'beta')!.runs).toBe(1)
    } finally {
      store.close()
    }
  })
})

describe('TraceStore atomic writes', () => {
  it('leaves no trace of a run whose write fails half way, and stays usable', () => {
    const file = join(tempDir(), 'db.sqlite')
    const store = TraceStore.open(file, { chunkEvents: 100 })
    const kept = store.saveRun(realRun('fsdax-read-fault', '6.17', 'keep'))

    // The log claims twice the events its columns hold: the run row, steps, violations, strings and
    // the first ten chunks are written before packing chunk 10 throws.
    const good = syntheticRun(1000)
    good.trace.events.count = 2000
    const broken: SaveRunInput = { ...good, session: 'doomed', result: { ...good.result, events: 2000, violations: [{ kind: 'kernel_warning', step: 1, message: 'w' }] } }
    expect(() => store.saveRun(broken)).toThrow(RangeError)

    expect(store.listRuns().map((r) => r.id)).toEqual([kept])
    expect(store.listSessions().map((s) => s.name)).toEqual(['keep'])
    expect(store.listViolations()).toEqual([])
    // Still usable: the next write and reads succeed.
    const next = store.saveRun(syntheticRun(500))
    expect(store.getEvents(next)).toHaveLength(500)
    store.close()
    const counts = tableCounts(file)
    expect(counts.runs).toBe(2)
    expect(counts.event_chunks).toBe(1 + 5)
    expect(counts.run_violation_kinds).toBe(0)
  })

  it('refuses a result whose event count disagrees with the trace before writing', () => {
    const store = TraceStore.open(join(tempDir(), 'db.sqlite'))
    try {
      const input = realRun('fsdax-pin-unpin')
      expect(() => store.saveRun({ ...input, result: { ...input.result, events: input.result.events + 1 } })).toThrow(/counts \d+ events but the trace holds/)
      expect(store.listRuns()).toEqual([])
    } finally {
      store.close()
    }
  })
})
