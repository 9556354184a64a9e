/**
 * Verifying what the store reads against its checksums (main/store/checksum.ts), row by row as reads
 * happen, and the whole file for `daxlab store check`. A verify* function returns undefined for a
 * sound row and otherwise a sentence naming the run and chunk and what is wrong.
 */
import type Database from 'better-sqlite3'
import { eventChunkChecksum, recordChunkChecksum, runChecksum, type RunRowFields } from './checksum'
import { unpackChunk } from './event-codec'
import { unpackRecords } from './record-codec'
import { sha256 } from './result-codec'
import { message } from './store-error'
import type { StreamedRuns, UnfinishedRun } from './streamed-runs'

/** A runs row as the store reads it. */
export interface RunRow extends RunRowFields {
  readonly id: number
  readonly result: string | Buffer
  readonly checksum: number | null
}

export function verifyRun(row: RunRow, tasks: readonly string[], causes: readonly string[]): string | undefined {
  if (row.checksum === null) return `run ${row.id}: its row has no checksum`
  if (row.checksum !== runChecksum({ ...row, tasks, causes })) return `run ${row.id}: its row (result or string tables) does not match its checksum`
  return undefined
}

export function verifyEventChunk(
  runId: number,
  c: { chunk_no: number; first_seq: number; count: number; step_min: number; step_max: number; kinds: number; checksum: number | null; data: Buffer },
): string | undefined {
  if (c.checksum === null) return `run ${runId}: event chunk ${c.chunk_no} has no checksum`
  if (c.checksum !== eventChunkChecksum(c.first_seq, c.count, c.step_min, c.step_max, c.kinds, c.data)) {
    return `run ${runId}: event chunk ${c.chunk_no} (events ${c.first_seq}..${c.first_seq + c.count - 1}) does not match its checksum`
  }
  return undefined
}

export function verifyRecordChunk(
  runId: number,
  kind: string,
  c: { chunk_no: number; first: number; count: number; checksum: number | null; data: Buffer },
  expectedFirst?: number,
): string | undefined {
  if (c.checksum === null) return `run ${runId}: ${kind} chunk ${c.chunk_no} has no checksum`
  if (c.checksum !== recordChunkChecksum(kind, c.first, c.count, c.data)) return `run ${runId}: ${kind} chunk ${c.chunk_no} does not match its checksum`
  if (expectedFirst !== undefined && c.first !== expectedFirst) return `run ${runId}: ${kind} chunk ${c.chunk_no} starts at ${c.first}, expected ${expectedFirst} (a chunk is missing)`
  return undefined
}

export interface CheckReport {
  readonly ok: boolean
  /** SQLite's PRAGMA integrity_check lines: ['ok'] for a sound file. */
  readonly integrity: string[]
  readonly runs: number
  readonly eventChunks: number
  readonly recordChunks: number
  /** Every problem found, one sentence each, naming run and chunk. */
  readonly problems: string[]
  /**
   * Streamed saves without their runs row: being written now, or left by a writer that died. Not a
   * problem (nothing reads them); the next write removes those whose writer has ended.
   */
  readonly unfinished: UnfinishedRun[]
}

/**
 * PRAGMA integrity_check, then every run, chunk, profile and scenario against its checksum or hash.
 * One read transaction: the counts are compared within one snapshot, so a run committed by another
 * process in the middle of the check cannot look like missing chunks.
 */
export function checkStore(db: Database.Database, streamedRuns: StreamedRuns): CheckReport {
  if (db.inTransaction) return checkSnapshot(db, streamedRuns)
  // Ended by ROLLBACK (it only read): a COMMIT after reading damaged pages can itself fail with the
  // damage, which the report already holds.
  db.exec('BEGIN')
  try {
    return checkSnapshot(db, streamedRuns)
  } finally {
    try {
      if (db.inTransaction) db.exec('ROLLBACK')
    } catch {
      // nothing was written; the connection ends the transaction when it closes
    }
  }
}

function checkSnapshot(db: Database.Database, streamedRuns: StreamedRuns): CheckReport {
  const problems: string[] = []
  const integrity = sqliteCheck(db, 'integrity_check')
  if (integrity.length !== 1 || integrity[0] !== 'ok') problems.push(...integrity.map((line) => `SQLite integrity_check: ${line}`))
  let runs = 0
  let eventChunks = 0
  let recordChunks = 0
  // Each table is read on its own so that one unreadable part does not hide the others.
  const each = <T>(what: string, sql: string, visit: (row: T) => void, ...params: unknown[]) => {
    try {
      for (const row of db.prepare(sql).iterate(...params) as Iterable<T>) visit(row)
    } catch (e) {
      problems.push(`${what}: SQLite cannot read it (${message(e)})`)
    }
  }
  const stringsOf = db.prepare<[number], { kind: string; idx: number; text: string }>('SELECT kind, idx, text FROM run_strings WHERE run_id = ? ORDER BY kind, idx')
  each<RunRow>('runs', 'SELECT id, kernel, scheme, quirks, arch, variant, created_at, steps, violations, blocked, events, result_codec, result, layout, checksum FROM runs ORDER BY id', (row) => {
    runs++
    const tasks: string[] = []
    const causes: string[] = []
    for (const s of stringsOf.iterate(row.id)) (s.kind === 'task' ? tasks : causes)[s.idx] = s.text
    const problem = verifyRun(row, tasks, causes)
    if (problem) problems.push(problem)
  })
  const counted = new Map<string, number>()
  each<{ run_id: number; chunk_no: number; first_seq: number; count: number; step_min: number; step_max: number; kinds: number; checksum: number | null; data: Buffer }>(
    'event_chunks',
    'SELECT run_id, chunk_no, first_seq, count, step_min, step_max, kinds, checksum, data FROM event_chunks ORDER BY run_id, chunk_no',
    (c) => {
      eventChunks++
      const problem = verifyEventChunk(c.run_id, c) ?? decodes(() => unpackChunk(c.data), `run ${c.run_id}: event chunk ${c.chunk_no}`)
      if (problem) problems.push(problem)
      counted.set(`events ${c.run_id}`, (counted.get(`events ${c.run_id}`) ?? 0) + c.count)
    },
  )
  each<{ run_id: number; kind: string; chunk_no: number; first: number; count: number; checksum: number | null; data: Buffer }>(
    'run_records',
    'SELECT run_id, kind, chunk_no, first, count, checksum, data FROM run_records ORDER BY run_id, kind, chunk_no',
    (c) => {
      recordChunks++
      const key = `${c.kind} ${c.run_id}`
      const problem = verifyRecordChunk(c.run_id, c.kind, c, counted.get(key) ?? 0) ?? decodes(() => unpackRecords(c.data), `run ${c.run_id}: ${c.kind} chunk ${c.chunk_no}`)
      if (problem) problems.push(problem)
      counted.set(key, (counted.get(key) ?? 0) + c.count)
    },
  )
  // Counts in each run row against what its chunks hold: a lost chunk shows here.
  const runIds = new Set<number>()
  each<{ id: number; layout: number; steps: number; violations: number; events: number }>('runs', 'SELECT id, layout, steps, violations, events FROM runs ORDER BY id', (r) => {
    runIds.add(r.id)
    const held = (key: string) => counted.get(`${key} ${r.id}`) ?? 0
    if (held('events') !== r.events) problems.push(`run ${r.id}: its event chunks hold ${held('events')} events, its row counts ${r.events}`)
    if (r.layout === 2 && held('steps') !== r.steps) problems.push(`run ${r.id}: its steps chunks hold ${held('steps')} steps, its row counts ${r.steps}`)
    if (r.layout === 2 && held('violations') !== r.violations) problems.push(`run ${r.id}: its violations chunks hold ${held('violations')} violations, its row counts ${r.violations}`)
  })
  let unfinished: UnfinishedRun[] = []
  try {
    unfinished = streamedRuns.unfinished()
  } catch (e) {
    problems.push(`streamed_runs: SQLite cannot read it (${message(e)})`)
  }
  // Chunks of a run that is neither stored nor being streamed: lost by damage, never written so.
  const streamed = new Set(unfinished.map((u) => u.runId))
  for (const [key, events] of counted) {
    const [kind, id] = key.split(' ')
    if (kind === 'events' && !runIds.has(Number(id)) && !streamed.has(Number(id))) problems.push(`run ${id}: its event chunks (${events} events) belong to no stored run and no streamed save`)
  }
  each<{ id: number; hash: string; body: string }>('profiles', 'SELECT id, hash, body FROM profiles ORDER BY id', (p) => {
    if (sha256(p.body) !== p.hash) problems.push(`profile ${p.id}: its body does not match its hash`)
  })
  each<{ id: number; hash: string; source: string }>('scenarios', 'SELECT id, hash, source FROM scenarios ORDER BY id', (s) => {
    if (sha256(s.source) !== s.hash) problems.push(`scenario ${s.id}: its source does not match its hash`)
  })
  return { ok: problems.length === 0, integrity, runs, eventChunks, recordChunks, problems, unfinished }
}

/** PRAGMA integrity_check or quick_check as lines (['ok'] when sound); a check SQLite cannot finish is one line saying why. */
export function sqliteCheck(db: Database.Database, pragma: 'integrity_check' | 'quick_check'): string[] {
  try {
    return (db.pragma(pragma) as Record<string, string>[]).map((r) => r[pragma]!)
  } catch (e) {
    return [`${pragma} stopped: ${message(e)}`]
  }
}

function decodes(fn: () => unknown, what: string): string | undefined {
  try {
    fn()
    return undefined
  } catch (e) {
    return `${what}: ${message(e)}`
  }
}
