/**
 * A run prepared ahead (as a sweep worker prepares it, every chunk packed and posted back through a
 * structured clone) is stored byte for byte like the same run saved in one go by saveRun.
 */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { prepareRun, transferablesOf } from '../../main/store/prepared-run'
import { TraceStore } from '../../main/store/trace-store'
import type { SaveRunInput } from '../../main/store/types'
import { realRun, tempDir } from './helpers'

/** Everything a run's rows hold except ids and timestamps, read through a separate connection. */
function storedRows(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true })
  try {
    return {
      runs: db.prepare('SELECT kernel, scheme, quirks, arch, variant, steps, violations, blocked, events, result_codec, result, layout FROM runs').all(),
      records: db.prepare('SELECT kind, chunk_no, first, count, checksum, data FROM run_records ORDER BY kind, chunk_no').all(),
      kinds: db.prepare('SELECT kind, count FROM run_violation_kinds ORDER BY kind').all(),
      strings: db.prepare('SELECT kind, idx, text FROM run_strings ORDER BY kind, idx').all(),
      chunks: db.prepare('SELECT chunk_no, first_seq, count, step_min, step_max, kinds, checksum, data FROM event_chunks ORDER BY chunk_no').all(),
    }
  } finally {
    db.close()
  }
}

function saveBoth(input: SaveRunInput, chunking: { chunkEvents: number; chunkRecords: number }): { direct: string; prepared: string; id: number } {
  const dir = tempDir()
  const direct = join(dir, 'direct.sqlite')
  const prepared = join(dir, 'prepared.sqlite')
  const a = TraceStore.open(direct, chunking)
  a.saveRun(input)
  a.close()
  const log = input.trace.events
  const run = prepareRun(
    { result: input.result, columns: log.columns(), tasks: [...log.tasks], causes: [...log.causes], scenarioText: input.scenarioText, profile: input.profile },
    { ...chunking, packEventsNow: true },
  )
  // What a worker posts: a structured clone with the chunk buffers transferred.
  const posted = structuredClone(run, { transfer: transferablesOf(run) })
  expect(Array.isArray(run.events) && (run.events as { data: Uint8Array }[]).every((c) => c.data.byteLength === 0)).toBe(true) // moved, not copied
  const b = TraceStore.open(prepared, chunking)
  const id = b.savePrepared(posted)
  b.close()
  return { direct, prepared, id }
}

describe('prepareRun + savePrepared', () => {
  it('stores the same rows as saveRun, in several chunks, and the run reads back whole', () => {
    const input = realRun('fsdax-truncate-while-pinned', '6.17')
    const chunking = { chunkEvents: 3, chunkRecords: 2 }
    const { direct, prepared, id } = saveBoth(input, chunking)
    const rows = storedRows(prepared)
    expect(rows.chunks.length).toBeGreaterThan(2)
    expect(rows.records.length).toBeGreaterThan(2)
    expect(rows).toEqual(storedRows(direct))
    const store = TraceStore.open(prepared)
    expect(store.getRun(id)!.result).toEqual(input.result)
    expect(store.getEvents(id).length).toBe(input.trace.events.count)
    expect(store.check().ok).toBe(true)
    store.close()
  })

  it('refuses a result whose event count does not match the columns', () => {
    const input = realRun('fsdax-pin-unpin', '6.17')
    const log = input.trace.events
    const bad = { ...input.result, events: input.result.events + 1 }
    expect(() =>
      prepareRun({ result: bad, columns: log.columns(), tasks: log.tasks, causes: log.causes, scenarioText: input.scenarioText, profile: input.profile }, { chunkEvents: 8, chunkRecords: 8 }),
    ).toThrow(/counts \d+ events but the trace holds \d+/)
  })
})
