/**
 * Streamed saves (main/store/run-writer/): a run stored while it is simulated, its event slices packed
 * on the way and committed under the id it reserved, holds exactly the rows saveRun writes for the
 * same run; it is invisible until it finishes; one that is aborted or fails leaves nothing behind, one
 * whose process dies leaves chunks that `store check` reports and the next write removes; and it does
 * not keep other writers out of the store while it runs.
 */
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseScenarioText } from '../../main/formats/load'
import type { Profile } from '../../main/formats/profile'
import { runScenario, startRun } from '../../main/sim/run'
import { eventChunks, prepareHead, prepareTail } from '../../main/store/prepared-run'
import { TraceStore } from '../../main/store/trace-store'
import { BIN, daxlab, ensureCli } from '../cli/cli-helpers'
import { tempDir } from './helpers'

beforeAll(ensureCli, 120_000)

/** A device-dax fault/pin/unpin loop on 4 KiB pages (one grab and one put per page): `iterations` x (access, gup of 64 pages, unpin). */
function bigScenario(iterations: number): string {
  const lines = ['name: stream-big', 'description: streamed-save test run', 'profile: {name: big-devdax, arch: x86, regions: [{name: dax0, type: devdax, size: 64GiB, align: 4KiB}]}', 'steps:', '  - mmap: {id: m, device: dax0, length: 64GiB}']
  for (let i = 0; i < iterations; i++) {
    const offset = ((i * 7919) % 32768) * 2 * 2 ** 20
    lines.push(`  - access: {map: m, offset: ${offset}, write: true}`, `  - gup: {id: g${i}, map: m, offset: ${offset}, pages: 64, pin: true}`, `  - unpin: {gup: g${i}}`)
  }
  return lines.join('\n') + '\n'
}

/** The rows of the store's only run, without ids or timestamps; BLOBs as SHA-256 (deep-equal on MBs of bytes is slow). */
function rows(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true })
  db.function('sha', (b: unknown) => (b === null ? null : createHash('sha256').update(b as Buffer | string).digest('hex')))
  try {
    return {
      runs: db.prepare('SELECT kernel, scheme, quirks, arch, variant, steps, violations, blocked, events, result_codec, sha(result), layout FROM runs').all(),
      records: db.prepare('SELECT kind, chunk_no, first, count, checksum, sha(data) FROM run_records ORDER BY kind, chunk_no').all(),
      strings: db.prepare('SELECT kind, idx, text FROM run_strings ORDER BY kind, idx').all(),
      chunks: db.prepare('SELECT chunk_no, first_seq, count, step_min, step_max, kinds, checksum, sha(data) FROM event_chunks ORDER BY chunk_no').all(),
    }
  } finally {
    db.close()
  }
}

function reservations(file: string): unknown[] {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare('SELECT run_id FROM streamed_runs').pluck().all()
  } finally {
    db.close()
  }
}

/** Event chunks committed in the store at `file` so far: 0 while it does not exist or has no schema yet. */
function committedChunks(file: string): number {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true })
    try {
      return db.prepare('SELECT count(*) FROM event_chunks').pluck().get() as number
    } finally {
      db.close()
    }
  } catch {
    return 0
  }
}

function savedInOneGo(file: string, text: string): void {
  const scenario = parseScenarioText(text, 'stream-big.yaml')
  const out = runScenario(scenario, scenario.profile as Profile)
  const store = TraceStore.open(file)
  store.saveRun({ result: out.result, trace: out.trace, scenarioText: text, profile: scenario.profile as Profile })
  store.close()
}

describe('streamed saves', () => {
  it('TraceStore.beginStreamedRun: slices appended as the run goes store the same rows as saveRun; abort leaves nothing', () => {
    const dir = tempDir()
    const text = bigScenario(40)
    const scenario = parseScenarioText(text, 'stream-big.yaml')
    const profile = scenario.profile as Profile
    const chunking = { chunkEvents: 64, chunkRecords: 16 }

    const direct = join(dir, 'direct.sqlite')
    const a = TraceStore.open(direct, chunking)
    const out = runScenario(scenario, profile)
    a.saveRun({ result: out.result, trace: out.trace, scenarioText: text, profile })
    a.close()

    const streamed = join(dir, 'streamed.sqlite')
    const b = TraceStore.open(streamed, chunking)
    const handle = startRun(scenario, profile)
    const run = b.beginStreamedRun(prepareHead({ scenario: scenario.name, scenarioText: text, profile }))
    let sent = 0
    const send = (end: number) => {
      run.append([...eventChunks(handle.events.copyRange(sent, end), chunking.chunkEvents, sent, sent / chunking.chunkEvents)])
      sent = end
    }
    while (!handle.advance(7)) send(handle.events.filled - (handle.events.filled % chunking.chunkEvents))
    send(handle.events.filled)
    const output = handle.output()
    run.finish(prepareTail(output.result, handle.events.count, handle.events.tasks, handle.events.causes, chunking.chunkRecords))
    expect(b.check().ok).toBe(true)
    b.close()
    const got = rows(streamed)
    expect(got.chunks.length).toBeGreaterThan(10)
    expect(got).toEqual(rows(direct))

    const aborted = join(dir, 'aborted.sqlite')
    const c = TraceStore.open(aborted, chunking)
    const gone = c.beginStreamedRun(prepareHead({ scenario: scenario.name, scenarioText: text, profile }))
    gone.append([...eventChunks(out.trace.events.copyRange(0, 128), chunking.chunkEvents)])
    expect(c.check().unfinished.map((u) => [u.runId, u.eventChunks, u.events, u.writer])).toEqual([[gone.runId, 2, 128, 'running']])
    gone.abort()
    expect(c.listRuns()).toEqual([])
    expect(() => gone.finish(prepareTail(output.result, output.result.events, [], [], 16))).toThrow(/already ended/)
    c.close()
    expect(rows(aborted).chunks).toEqual([])
    expect(reservations(aborted)).toEqual([])
  })

  it('a streamed run is invisible until it finishes and holds no write lock meanwhile: another connection saves and reads', () => {
    const dir = tempDir()
    const text = bigScenario(20)
    const scenario = parseScenarioText(text, 'stream-big.yaml')
    const profile = scenario.profile as Profile
    const out = runScenario(scenario, profile)
    const file = join(dir, 'shared.sqlite')
    const writer = TraceStore.open(file, { chunkEvents: 64 })
    const other = TraceStore.open(file)
    const run = writer.beginStreamedRun(prepareHead({ scenario: scenario.name, scenarioText: text, profile }))
    const chunks = [...eventChunks(out.trace.events, 64)]
    const half = chunks.length >> 1
    run.append(chunks.slice(0, half))
    expect(() => writer.beginStreamedRun(prepareHead({ scenario: scenario.name, scenarioText: text, profile }))).toThrow(/already writing a run/)
    // Between two appends: with the whole run in one open transaction this waited out the busy timeout and failed.
    const savedMeanwhile = other.saveRun({ result: out.result, trace: out.trace, scenarioText: text, profile })
    expect(other.listRuns().map((r) => r.id)).toEqual([savedMeanwhile])
    const midway = other.check()
    expect(midway.ok).toBe(true)
    expect(midway.runs).toBe(1)
    expect(midway.unfinished.map((u) => [u.runId, u.eventChunks, u.writer])).toEqual([[run.runId, half, 'running']])
    run.append(chunks.slice(half))
    expect(other.getEvents(run.runId)).toEqual([])
    const streamedId = run.finish(prepareTail(out.result, out.trace.events.count, out.trace.events.tasks, out.trace.events.causes, 16))
    // The id was taken when the run started, so it precedes the run saved meanwhile.
    expect(streamedId).toBe(run.runId)
    expect(streamedId).toBeLessThan(savedMeanwhile)
    expect(other.listRuns().map((r) => r.id)).toEqual([savedMeanwhile, streamedId])
    expect(other.getEvents(streamedId).length).toBe(out.trace.events.count)
    const after = other.check()
    expect(after.ok).toBe(true)
    expect(after.unfinished).toEqual([])
    // A later run never reuses an id, the streamed one's included.
    expect(other.saveRun({ result: out.result, trace: out.trace, scenarioText: text, profile })).toBe(savedMeanwhile + 1)
    const again = writer.beginStreamedRun(prepareHead({ scenario: scenario.name, scenarioText: text, profile }))
    again.abort()
    other.close()
    writer.close()
  })

  it('a daxlab run killed at any moment of a streamed save leaves the whole run or none, and a sound store', async () => {
    const dir = tempDir()
    const file = join(dir, 'stream-big.yaml')
    writeFileSync(file, bigScenario(6000)) // ~1.9M events: streamed from about a third of the run on
    const started = Date.now()
    const whole = daxlab(['run', file, '--db', join(dir, 'whole.sqlite'), '--json'])
    const wholeMs = Date.now() - started
    expect(whole.code).toBe(0)
    const events = (JSON.parse(whole.stdout) as { events: number }).events
    // Kill at fixed shares of the time a whole run took here, so the moments stay spread over the run
    // (start, engine, streamed chunks, commit) on a faster or slower machine. A child that is done
    // before its moment comes has stored the whole run, which the checks below accept.
    for (const share of [0.15, 0.4, 0.65, 0.9]) {
      const db = join(dir, `killed-${share}.sqlite`)
      const child = spawn(process.execPath, [BIN, 'run', file, '--db', db], { stdio: 'ignore', env: { ...process.env, DAXLAB_DB: '' } })
      const exited = new Promise((r) => child.once('exit', r)) // listened for now: the child may end before the kill
      await new Promise((r) => setTimeout(r, share * wholeMs))
      child.kill('SIGKILL')
      await exited
      const store = TraceStore.open(db)
      const runs = store.listRuns()
      expect(runs.length).toBeLessThanOrEqual(1)
      if (runs.length === 1) expect(runs[0]!.events).toBe(events)
      expect(store.check().ok).toBe(true)
      store.close()
    }
  }, 120_000)

  it('a daxlab run killed after its first chunks leaves them invisible; store check reports them, the next write removes them', async () => {
    const dir = tempDir()
    const file = join(dir, 'stream-big.yaml')
    writeFileSync(file, bigScenario(6000))
    const db = join(dir, 'killed.sqlite')
    const child = spawn(process.execPath, [BIN, 'run', file, '--db', db], { stdio: 'ignore', env: { ...process.env, DAXLAB_DB: '' } })
    const exited = new Promise((r) => child.once('exit', r))
    let seen = false
    for (const deadline = Date.now() + 60_000; !seen && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 10))
      seen = committedChunks(db) > 0
    }
    child.kill('SIGKILL')
    await exited
    expect(seen).toBe(true)
    const store = TraceStore.open(db)
    expect(store.listRuns()).toEqual([])
    const report = store.check()
    expect(report.ok).toBe(true)
    expect(report.unfinished.map((u) => [u.runId, u.pid, u.writer])).toEqual([[1, child.pid, 'ended']])
    expect(report.unfinished[0]!.eventChunks).toBeGreaterThan(0)
    store.close()
    const text = daxlab(['store', 'check', '--db', db])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/unfinished streamed runs \(1, not visible, not a problem\):\n {2}run 1: \d+ event chunks \(\d+ events\), started .* by pid \d+ on .*: its writer has ended; the next write removes it\n/)
    const json = JSON.parse(daxlab(['store', 'check', '--db', db, '--json']).stdout) as { unfinished_runs: { run_id: number; writer: string }[] }
    expect(json.unfinished_runs.map((u) => [u.run_id, u.writer])).toEqual([[1, 'ended']])

    // The next write removes them, and its run takes the next id: 1 stays unused.
    const next = daxlab(['run', 'fsdax-read-fault', '--db', db, '--json'])
    expect(next.code).toBe(0)
    expect((JSON.parse(next.stdout) as { run_id: number }).run_id).toBe(2)
    expect(reservations(db)).toEqual([])
    const reopened = TraceStore.open(db)
    const clean = reopened.check()
    expect(clean.ok).toBe(true)
    expect(clean.unfinished).toEqual([])
    reopened.close()
    const raw = new Database(db, { readonly: true })
    expect(raw.prepare('SELECT DISTINCT run_id FROM event_chunks').pluck().all()).toEqual([2])
    raw.close()
  }, 120_000)

  it('store check reports event chunks that belong to no run and no streamed save', () => {
    const dir = tempDir()
    const file = join(dir, 'orphan.sqlite')
    savedInOneGo(file, bigScenario(5))
    const raw = new Database(file)
    raw.pragma('foreign_keys = OFF') // as a streamed save commits its chunks
    raw.prepare('INSERT INTO event_chunks (run_id, chunk_no, first_seq, count, step_min, step_max, kinds, checksum, data) SELECT 99, chunk_no, first_seq, count, step_min, step_max, kinds, checksum, data FROM event_chunks WHERE run_id = 1').run()
    raw.close()
    const store = TraceStore.open(file)
    const report = store.check()
    store.close()
    expect(report.ok).toBe(false)
    expect(report.problems).toEqual([expect.stringMatching(/^run 99: its event chunks \(\d+ events\) belong to no stored run and no streamed save$/)])
  })

  it('daxlab run of a big scenario is saved on the writer thread and stores what saveRun stores', () => {
    const dir = tempDir()
    const text = bigScenario(1500) // ~390k events: past STREAM_AFTER_EVENTS (2^18)
    const file = join(dir, 'stream-big.yaml')
    writeFileSync(file, text)
    const viaCli = join(dir, 'cli.sqlite')
    const r = daxlab(['run', file, '--db', viaCli, '--json'])
    expect(r.code).toBe(0)
    const printed = JSON.parse(r.stdout) as { run_id: number; events: number }
    expect(printed.run_id).toBe(1)
    expect(printed.events).toBeGreaterThan(2 ** 18)
    const direct = join(dir, 'direct.sqlite')
    savedInOneGo(direct, text)
    expect(rows(viaCli)).toEqual(rows(direct))
    expect(daxlab(['store', 'check', '--db', viaCli]).code).toBe(0)
  }, 120_000)
})
