/**
 * Streamed saves (main/store/run-writer/): a run stored while it is simulated, its event slices packed
 * on the way and kept in a temporary database until the run is finished, holds exactly the rows
 * saveRun writes for the same run; a streamed run that is aborted, fails or whose process dies leaves
 * nothing behind; and it does not keep other writers out of the store while it runs.
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
      for (const c of eventChunks(handle.events.copyRange(sent, end), chunking.chunkEvents, sent, sent / chunking.chunkEvents)) run.append(c)
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
    for (const chunk of eventChunks(out.trace.events.copyRange(0, 128), chunking.chunkEvents)) gone.append(chunk)
    gone.abort()
    expect(c.listRuns()).toEqual([])
    expect(() => gone.finish(prepareTail(output.result, output.result.events, [], [], 16))).toThrow(/already ended/)
    c.close()
    expect(rows(aborted).chunks).toEqual([])
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
    for (const chunk of eventChunks(out.trace.events, 64)) run.append(chunk)
    expect(() => writer.beginStreamedRun(prepareHead({ scenario: scenario.name, scenarioText: text, profile }))).toThrow(/already writing a run/)
    // Before, the streamed run's open transaction made this wait out the busy timeout and fail.
    const savedMeanwhile = other.saveRun({ result: out.result, trace: out.trace, scenarioText: text, profile })
    expect(other.listRuns().map((r) => r.id)).toEqual([savedMeanwhile])
    const streamedId = run.finish(prepareTail(out.result, out.trace.events.count, out.trace.events.tasks, out.trace.events.causes, 16))
    expect(streamedId).toBeGreaterThan(savedMeanwhile)
    expect(other.listRuns().map((r) => r.id)).toEqual([streamedId, savedMeanwhile])
    expect(other.getEvents(streamedId).length).toBe(out.trace.events.count)
    expect(other.check().ok).toBe(true)
    // The staging database went with the run; the next streamed run attaches a fresh one.
    const again = writer.beginStreamedRun(prepareHead({ scenario: scenario.name, scenarioText: text, profile }))
    again.abort()
    other.close()
    writer.close()
  })

  it('a daxlab run killed at any moment of a streamed save leaves the whole run or none, and a sound store', async () => {
    const dir = tempDir()
    const file = join(dir, 'stream-big.yaml')
    writeFileSync(file, bigScenario(6000)) // ~1.5M events: streamed from about a third of the run on
    const whole = daxlab(['run', file, '--db', join(dir, 'whole.sqlite'), '--json'])
    expect(whole.code).toBe(0)
    const events = (JSON.parse(whole.stdout) as { events: number }).events
    for (const afterMs of [400, 1200, 2000, 2800]) {
      const db = join(dir, `killed-${afterMs}.sqlite`)
      const child = spawn(process.execPath, [BIN, 'run', file, '--db', db], { stdio: 'ignore', env: { ...process.env, DAXLAB_DB: '' } })
      await new Promise((r) => setTimeout(r, afterMs))
      child.kill('SIGKILL')
      await new Promise((r) => child.once('exit', r))
      const store = TraceStore.open(db)
      const runs = store.listRuns()
      expect(runs.length).toBeLessThanOrEqual(1)
      if (runs.length === 1) expect(runs[0]!.events).toBe(events)
      expect(store.check().ok).toBe(true)
      store.close()
    }
  }, 120_000)

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
