/**
 * The trace store: runs, their steps, violations and packed event chunks in one SQLite file
 * (docs/store.md). Synchronous by design: better-sqlite3 runs each statement on the calling thread,
 * which for this workload (one writer, bulk BLOB inserts inside a transaction) is faster than any
 * async driver, and a transaction can never be split by an await.
 */
import Database from 'better-sqlite3'
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { EVENT_KIND_NAMES, type EventColumns, type TraceEvent } from '../sim/events'
import type { RunResult } from '../sim/result'
import { DEFAULT_CHUNK_EVENTS, KIND_OVERFLOW_BIT, decodeEvent, packChunk, unpackChunk } from './event-codec'
import { nativeBindingPath } from './native-binding'
import { defaultDbPath } from './paths'
import { canonicalJson, decodeResult, encodeResult, sha256 } from './result-codec'
import { SCHEMA_VERSION, identify, migrate, userVersion } from './schema'
import type { EventQuery, RunFilter, RunSummary, SaveRunInput, SessionSummary, StoredViolation, TraceStoreApi } from './types'

export type StoreErrorCode = 'not-daxlab' | 'too-new' | 'unreadable'

/** Opening failed; the message names the file and the reason. The file was not modified. */
export class StoreError extends Error {
  constructor(
    readonly file: string,
    readonly code: StoreErrorCode,
    reason: string,
  ) {
    super(`${file}: ${reason}`)
    this.name = 'StoreError'
  }
}

export interface OpenOptions {
  /** Events per chunk for runs written through this handle (tests use small chunks to get many). */
  readonly chunkEvents?: number
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1')
/** Rows per multi-row step INSERT (9 parameters each, well under SQLITE_MAX_VARIABLE_NUMBER). */
const STEP_BATCH = 100

/** Columns of RunSummary, named as the interface names them, so rows need no mapping. */
const SUMMARY_SELECT = `
  SELECT r.id, sc.name AS scenario, r.kernel, r.scheme, r.arch, r.variant,
         COALESCE(p.name, 'inline') AS profile, se.name AS session, r.created_at AS createdAt,
         r.steps, r.violations, r.blocked, r.events`
const SUMMARY_FROM = `
  FROM runs r
  JOIN scenarios sc ON sc.id = r.scenario_id
  JOIN profiles p ON p.id = r.profile_id
  LEFT JOIN sessions se ON se.id = r.session_id`

interface ChunkRow {
  first_seq: number
  count: number
  data: Buffer
}

/** Every statement, prepared once per connection. Optional filters use `@x IS NULL OR ...` so one statement serves all combinations. */
function prepareStatements(db: Database.Database) {
  return {
    upsertSession: db
      // DO UPDATE (a no-op) rather than DO NOTHING so RETURNING yields the id of an existing row too.
      .prepare<[string, string], number>('INSERT INTO sessions (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id')
      .pluck(),
    upsertProfile: db
      .prepare<[string, string | null, string, string], number>(
        'INSERT INTO profiles (hash, name, arch, body) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET hash = excluded.hash RETURNING id',
      )
      .pluck(),
    upsertScenario: db
      .prepare<[string, string, string], number>(
        'INSERT INTO scenarios (name, hash, source) VALUES (?, ?, ?) ON CONFLICT (hash, name) DO UPDATE SET name = excluded.name RETURNING id',
      )
      .pluck(),
    insertRun: db.prepare<[Record<string, unknown>]>(`
      INSERT INTO runs (session_id, scenario_id, profile_id, kernel, scheme, quirks, arch, variant, created_at,
                        steps, violations, blocked, events, result_codec, result)
      VALUES (@session_id, @scenario_id, @profile_id, @kernel, @scheme, @quirks, @arch, @variant, @created_at,
              @steps, @violations, @blocked, @events, @result_codec, @result)`),
    // Steps go in STEP_BATCH rows per statement: multi-row INSERTs cut the per-statement overhead
    // that dominates saving runs with many steps (the tail uses insertStep).
    insertSteps: db.prepare<unknown[]>(
      `INSERT INTO run_steps (run_id, idx, op, task, status, waited, completed_after, error, signal) VALUES ${Array(STEP_BATCH).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    ),
    insertStep: db.prepare<[number, number, string, string, string, number, number | null, string | null, string | null]>(
      'INSERT INTO run_steps (run_id, idx, op, task, status, waited, completed_after, error, signal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertViolation: db.prepare<[number, string, number, string, string | null]>('INSERT INTO violations (run_id, kind, step, message, pfn) VALUES (?, ?, ?, ?, ?)'),
    insertString: db.prepare<[number, string, number, string]>('INSERT INTO run_strings (run_id, kind, idx, text) VALUES (?, ?, ?, ?)'),
    insertChunk: db.prepare<[number, number, number, number, number, number, number, Buffer]>(
      'INSERT INTO event_chunks (run_id, chunk_no, first_seq, count, step_min, step_max, kinds, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    listRuns: db.prepare<[{ session: string | null; scenario: string | null; kernel: string | null; limit: number }], RunSummary>(`
      ${SUMMARY_SELECT} ${SUMMARY_FROM}
      WHERE (@session IS NULL OR se.name = @session)
        AND (@scenario IS NULL OR sc.name = @scenario)
        AND (@kernel IS NULL OR r.kernel = @kernel)
      ORDER BY r.id DESC
      LIMIT @limit`),
    getRun: db.prepare<[number], RunSummary & { result_codec: string; result: string | Buffer; source: string }>(
      `${SUMMARY_SELECT}, r.result_codec, r.result, sc.source ${SUMMARY_FROM} WHERE r.id = ?`,
    ),
    runStrings: db.prepare<[number], { kind: 'task' | 'cause'; idx: number; text: string }>('SELECT kind, idx, text FROM run_strings WHERE run_id = ? ORDER BY kind, idx'),
    // Chunk metadata is read before the BLOB column, so skipped chunks cost no overflow-page reads.
    chunks: db.prepare<[{ run: number; fromSeq: number; mask: number | null; step: number | null }], ChunkRow>(`
      SELECT first_seq, count, data FROM event_chunks
      WHERE run_id = @run
        AND first_seq + count > @fromSeq
        AND (@mask IS NULL OR (kinds & @mask) != 0)
        AND (@step IS NULL OR (step_min <= @step AND step_max >= @step))
      ORDER BY chunk_no`),
    listViolations: db.prepare<[{ runId: number | null; kind: string | null; session: string | null }], StoredViolation>(`
      SELECT v.run_id AS runId, v.kind, v.step, v.message, v.pfn
      FROM violations v
      JOIN runs r ON r.id = v.run_id
      LEFT JOIN sessions se ON se.id = r.session_id
      WHERE (@runId IS NULL OR v.run_id = @runId)
        AND (@kind IS NULL OR v.kind = @kind)
        AND (@session IS NULL OR se.name = @session)
      ORDER BY v.run_id, v.id`),
    listSessions: db.prepare<[], SessionSummary>(`
      SELECT se.name, se.created_at AS createdAt, count(r.id) AS runs
      FROM sessions se LEFT JOIN runs r ON r.session_id = se.id
      GROUP BY se.id
      ORDER BY se.name`),
    runRefs: db.prepare<[number], { profile_id: number; scenario_id: number }>('SELECT profile_id, scenario_id FROM runs WHERE id = ?'),
    deleteRun: db.prepare<[number]>('DELETE FROM runs WHERE id = ?'),
    // Profiles and scenarios are shared between runs; drop one only when its last run goes.
    deleteOrphanProfile: db.prepare<[number, number]>('DELETE FROM profiles WHERE id = ? AND NOT EXISTS (SELECT 1 FROM runs WHERE profile_id = ?)'),
    deleteOrphanScenario: db.prepare<[number, number]>('DELETE FROM scenarios WHERE id = ? AND NOT EXISTS (SELECT 1 FROM runs WHERE scenario_id = ?)'),
  }
}

export class TraceStore implements TraceStoreApi {
  private readonly sql: ReturnType<typeof prepareStatements>

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    private readonly chunkEvents: number,
  ) {
    this.sql = prepareStatements(db)
  }

  /**
   * Opens (creating it and its directories if missing) the store at `file`, default defaultDbPath().
   * Refuses, without writing to it, a file that is not a daxlab database or has a newer schema.
   */
  static open(file: string = defaultDbPath(), options: OpenOptions = {}): TraceStore {
    const path = resolve(file)
    const chunkEvents = options.chunkEvents ?? DEFAULT_CHUNK_EVENTS
    if (!Number.isInteger(chunkEvents) || chunkEvents < 1 || chunkEvents > 1 << 20) throw new RangeError(`chunkEvents must be an integer in [1, ${1 << 20}]`)
    const exists = checkHeader(path)
    if (!exists) mkdirSync(dirname(path), { recursive: true })
    let db: Database.Database
    try {
      const nativeBinding = nativeBindingPath()
      db = new Database(path, { fileMustExist: exists, ...(nativeBinding ? { nativeBinding } : {}) })
    } catch (e) {
      throw new StoreError(path, 'unreadable', `cannot open: ${message(e)}`)
    }
    try {
      // Identify before anything that writes: journal_mode = WAL alone rewrites header bytes.
      const identity = identifyOrThrow(db, path)
      // 8 KiB pages (set once, on a new file): a 170 KiB chunk spans half as many overflow pages as
      // with the 4 KiB default; measured ~1.3x faster saveRun, no size cost (docs/store.md).
      if (identity === 'empty') db.pragma('page_size = 8192')
      db.pragma('journal_mode = WAL')
      // NORMAL in WAL mode: a commit survives an application crash; a power loss may drop the last
      // commits but never corrupts the file. Runs can be re-run, so that is the right trade for speed.
      db.pragma('synchronous = NORMAL')
      db.pragma('foreign_keys = ON')
      migrate(db)
      return new TraceStore(path, db, chunkEvents)
    } catch (e) {
      db.close()
      if (e instanceof StoreError) throw e
      throw new StoreError(path, 'unreadable', `cannot open the trace store: ${message(e)}`)
    }
  }

  schemaVersion(): number {
    return userVersion(this.db)
  }

  saveRun(input: SaveRunInput): number {
    const { result, trace } = input
    const cols = trace.events.columns()
    if (result.events !== cols.count) throw new Error(`the run result counts ${result.events} events but the trace holds ${cols.count}`)
    const tasks = trace.events.tasks
    const causes = trace.events.causes
    // CPU-only preparation stays outside the transaction so the write lock is held only for writes.
    const encoded = encodeResult(result)
    const profileBody = canonicalJson(input.profile)
    const scenarioHash = sha256(input.scenarioText)
    const now = new Date().toISOString()
    const sql = this.sql
    const chunkEvents = this.chunkEvents
    // Everything below commits together or not at all: a throw anywhere (a bad trace, a full disk)
    // rolls back the run row with its steps and chunks. No await may ever appear in here.
    return this.db.transaction((): number => {
      const sessionId = input.session !== undefined ? sql.upsertSession.get(input.session, now)! : null
      const profileId = sql.upsertProfile.get(sha256(profileBody), input.profile.name ?? null, input.profile.arch, profileBody)!
      const scenarioId = sql.upsertScenario.get(result.scenario, scenarioHash, input.scenarioText)!
      const runId = Number(
        sql.insertRun.run({
          session_id: sessionId,
          scenario_id: scenarioId,
          profile_id: profileId,
          kernel: result.kernel,
          scheme: result.scheme,
          quirks: JSON.stringify(result.quirks),
          arch: result.arch,
          variant: result.variant,
          created_at: now,
          steps: result.steps.length,
          violations: result.violations.length,
          blocked: result.blocked.length,
          events: cols.count,
          result_codec: encoded.codec,
          result: encoded.data,
        }).lastInsertRowid,
      )
      const stepRow = (s: RunResult['steps'][number]) => [runId, s.index, s.op, s.task, s.status, s.waited ? 1 : 0, s.completed_after ?? null, s.error ?? null, s.signal ?? null] as const
      const steps = result.steps
      let i = 0
      for (; i + STEP_BATCH <= steps.length; i += STEP_BATCH) sql.insertSteps.run(steps.slice(i, i + STEP_BATCH).flatMap(stepRow))
      for (; i < steps.length; i++) sql.insertStep.run(...stepRow(steps[i]!))
      for (const v of result.violations) sql.insertViolation.run(runId, v.kind, v.step, v.message, v.pfn ?? null)
      tasks.forEach((text, i) => sql.insertString.run(runId, 'task', i, text))
      causes.forEach((text, i) => sql.insertString.run(runId, 'cause', i, text))
      for (let start = 0, no = 0; start < cols.count; start += chunkEvents, no++) {
        const chunk = packChunk(cols, start, Math.min(chunkEvents, cols.count - start))
        const data = Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.byteLength)
        sql.insertChunk.run(runId, no, start, chunk.count, chunk.stepMin, chunk.stepMax, chunk.kinds, data)
      }
      return runId
    })()
  }

  listRuns(filter: RunFilter = {}): RunSummary[] {
    return this.sql.listRuns.all({
      session: filter.session ?? null,
      scenario: filter.scenario ?? null,
      kernel: filter.kernel ?? null,
      limit: filter.limit ?? -1, // SQLite: a negative LIMIT means none
    })
  }

  getRun(id: number): { summary: RunSummary; result: RunResult; scenarioText: string } | undefined {
    const row = this.sql.getRun.get(id)
    if (!row) return undefined
    const { result_codec, result, source, ...summary } = row
    return { summary, result: decodeResult(result_codec, result), scenarioText: source }
  }

  getEvents(id: number, query: EventQuery = {}): TraceEvent[] {
    const fromSeq = Math.max(0, query.fromSeq ?? 0)
    const limit = query.limit ?? Infinity
    const out: TraceEvent[] = []
    if (limit <= 0) return out
    // Kind filter as a chunk mask (to skip chunks in SQL) and a per-kind table (to filter events).
    let mask: number | null = null
    const keep = new Uint8Array(256)
    if (query.kinds) {
      mask = 0
      for (const name of query.kinds) {
        const k = EVENT_KIND_NAMES.indexOf(name)
        if (k < 0) throw new Error(`unknown event kind '${name}' (one of: ${EVENT_KIND_NAMES.join(', ')})`)
        keep[k] = 1
        mask |= 1 << Math.min(k, KIND_OVERFLOW_BIT)
      }
      mask >>>= 0
    } else keep.fill(1)
    const step = query.step ?? null
    const tasks: string[] = []
    const causes: string[] = []
    for (const s of this.sql.runStrings.iterate(id)) (s.kind === 'task' ? tasks : causes)[s.idx] = s.text
    for (const row of this.sql.chunks.iterate({ run: id, fromSeq, mask, step })) {
      const cols = unpackChunk(row.data)
      for (let i = Math.max(0, fromSeq - row.first_seq); i < cols.count; i++) {
        if (!keep[cols.kind[i]!]) continue
        if (step !== null && cols.step[i] !== step) continue
        out.push(decodeEvent(cols, i, row.first_seq + i, tasks, causes))
        if (out.length >= limit) return out // leaving the loop resets the statement
      }
    }
    return out
  }

  /**
   * The run's events as raw columns, one chunk at a time from `fromSeq`, with the task and cause string
   * tables: for readers that aggregate millions of events (the app's per-folio chart) and cannot afford
   * one object per event. `visit` gets each chunk's columns and the seq of its first event; returning
   * false stops the scan. Chunks without any of `kinds` (names) are skipped unread.
   */
  scanEventColumns(
    id: number,
    visit: (cols: EventColumns, firstSeq: number, strings: { tasks: readonly string[]; causes: readonly string[] }) => boolean | void,
    query: { fromSeq?: number; kinds?: readonly string[] } = {},
  ): void {
    let mask: number | null = null
    if (query.kinds) {
      mask = 0
      for (const name of query.kinds) {
        const k = EVENT_KIND_NAMES.indexOf(name)
        if (k < 0) throw new Error(`unknown event kind '${name}' (one of: ${EVENT_KIND_NAMES.join(', ')})`)
        mask |= 1 << Math.min(k, KIND_OVERFLOW_BIT)
      }
      mask >>>= 0
    }
    const tasks: string[] = []
    const causes: string[] = []
    for (const s of this.sql.runStrings.iterate(id)) (s.kind === 'task' ? tasks : causes)[s.idx] = s.text
    const strings = { tasks, causes }
    for (const row of this.sql.chunks.iterate({ run: id, fromSeq: Math.max(0, query.fromSeq ?? 0), mask, step: null })) {
      if (visit(unpackChunk(row.data), row.first_seq, strings) === false) return // leaving the loop resets the statement
    }
  }

  listViolations(filter: { runId?: number; kind?: string; session?: string } = {}): StoredViolation[] {
    return this.sql.listViolations.all({ runId: filter.runId ?? null, kind: filter.kind ?? null, session: filter.session ?? null })
  }

  listSessions(): SessionSummary[] {
    return this.sql.listSessions.all()
  }

  deleteRun(id: number): boolean {
    return this.db.transaction((): boolean => {
      const refs = this.sql.runRefs.get(id)
      if (!refs) return false
      this.sql.deleteRun.run(id) // steps, violations, strings and chunks go by ON DELETE CASCADE
      this.sql.deleteOrphanProfile.run(refs.profile_id, refs.profile_id)
      this.sql.deleteOrphanScenario.run(refs.scenario_id, refs.scenario_id)
      return true
    })()
  }

  close(): void {
    if (!this.db.open) return
    this.db.pragma('optimize') // refreshes planner statistics where they are stale; cheap
    this.db.close()
  }
}

/**
 * Checks the file without SQLite: false when it does not exist or is empty (a new store), true when
 * it starts with the SQLite header; throws for anything else, before SQLite ever opens it.
 */
function checkHeader(path: string): boolean {
  let size: number
  try {
    const st = statSync(path)
    if (!st.isFile()) throw new StoreError(path, 'not-daxlab', 'not a daxlab database: it is not a regular file')
    size = st.size
  } catch (e) {
    if (e instanceof StoreError) throw e
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw new StoreError(path, 'unreadable', `cannot read it: ${message(e)}`)
  }
  if (size === 0) return false
  const head = Buffer.alloc(SQLITE_MAGIC.length)
  try {
    const fd = openSync(path, 'r')
    try {
      readSync(fd, head, 0, head.length, 0)
    } finally {
      closeSync(fd)
    }
  } catch (e) {
    throw new StoreError(path, 'unreadable', `cannot read it: ${message(e)}`)
  }
  if (!head.equals(SQLITE_MAGIC)) {
    const shown = JSON.stringify(head.subarray(0, Math.min(size, head.length)).toString('latin1'))
    throw new StoreError(path, 'not-daxlab', `not a daxlab database: it is not an SQLite file (it starts with ${shown})`)
  }
  return true
}

function identifyOrThrow(db: Database.Database, path: string): 'empty' | 'daxlab' {
  let identity
  try {
    identity = identify(db)
  } catch (e) {
    throw new StoreError(path, 'not-daxlab', `not a daxlab database: SQLite cannot read it (${message(e)})`)
  }
  if (identity.kind === 'foreign') throw new StoreError(path, 'not-daxlab', `not a daxlab database: ${identity.reason}`)
  if (identity.kind === 'daxlab' && identity.version > SCHEMA_VERSION) {
    throw new StoreError(
      path,
      'too-new',
      `schema version ${identity.version} is newer than this daxlab supports (${SCHEMA_VERSION}); it was written by a newer daxlab. ` +
        'Upgrade daxlab, or point DAXLAB_DB at another file.',
    )
  }
  return identity.kind
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}
