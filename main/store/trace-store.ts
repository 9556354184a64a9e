/**
 * The trace store: runs, their steps, violations and packed event chunks in one SQLite file
 * (docs/store.md). Synchronous by design: better-sqlite3 runs each statement on the calling thread,
 * which for this workload (one writer, bulk BLOB inserts inside a transaction) is faster than any
 * async driver, and a transaction can never be split by an await.
 */
import type Database from 'better-sqlite3'
import { resolve } from 'node:path'
import { EVENT_KIND_NAMES, type EventColumns, type TraceEvent } from '../sim/events'
import type { RunResult, StepResult, Violation } from '../sim/result'
import { asBuffer } from './blob'
import { DEFAULT_CHUNK_EVENTS, KIND_OVERFLOW_BIT, decodeEvent, unpackChunk } from './event-codec'
import { checkStore, sqliteCheck, verifyEventChunk, verifyRecordChunk, verifyRun, type CheckReport, type RunRow } from './integrity'
import { openConnection, openFailure } from './open-file'
import { defaultDbPath } from './paths'
import { prepareRun, type PreparedEventChunk, type PreparedRun, type PreparedRunHead, type PreparedRunRow, type PreparedRunTail } from './prepared-run'
import { unpackRecords } from './record-codec'
import { decodeResult, sha256 } from './result-codec'
import { userVersion } from './schema'
import { damagedError, isCorruption, message, readOnlyError, type StoreError } from './store-error'
import { StreamedRuns } from './streamed-runs'
import type { EventQuery, RunFilter, RunSummary, SaveRunInput, SessionSummary, StoredViolation, TraceStoreApi } from './types'

export { StoreError, type StoreErrorCode } from './store-error'
export type { CheckReport } from './integrity'
export type { UnfinishedRun, WriterState } from './streamed-runs'

/** A run being saved while it is simulated (TraceStore.beginStreamedRun). */
export interface StreamedRun {
  /** The id the run will have: reserved when it started. */
  readonly runId: number
  /** Commits the next event chunks (they arrive in order, numbered from 0) in one short transaction. */
  append(chunks: readonly PreparedEventChunk[]): void
  /** Writes the run row, its records and string tables in one transaction, which makes the run visible; returns its id. */
  finish(tail: PreparedRunTail): number
  /** Drops the run: its chunks go, and nothing of it is or will be visible. */
  abort(): void
}

/**
 * WAL pages after which a streamed run's commits checkpoint, instead of SQLite's 1000: the writer
 * thread's checkpoints then overlap the engine instead of piling up for the end (docs/adr/0033:
 * e2e_events_per_s of the bench's mix in the prototype 1.31M at 1000, 1.50M at 128, 1.44M at 32).
 */
const STREAMING_AUTOCHECKPOINT = 128

export interface OpenOptions {
  /** Events per chunk for runs written through this handle (tests use small chunks to get many). */
  readonly chunkEvents?: number
  /** Step results or violations per run_records chunk (tests use small chunks to get many). */
  readonly chunkRecords?: number
  /**
   * Another handle of this process passed the check before its first write on this file a moment
   * ago (a streamed save's host, main/store/run-writer/host.ts): this handle skips repeating it. The
   * quick_check reads the whole file (175-240 ms for a 1.2 GB store here), and a second one only
   * delayed the writer thread by as long.
   */
  readonly checkedForWrite?: boolean
}

/** Records per run_records chunk: ~40 bytes a step, so ~330 KiB BLOBs for steps. */
export const DEFAULT_CHUNK_RECORDS = 8192

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

interface EventChunkRow {
  chunk_no: number
  first_seq: number
  count: number
  step_min: number
  step_max: number
  kinds: number
  checksum: number | null
  data: Buffer
}

interface RecordChunkRow {
  chunk_no: number
  first: number
  count: number
  checksum: number | null
  data: Buffer
}

type RunRowWithSource = RunSummary & RunRow & { source: string; scenario_hash: string }

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
    // @id NULL: AUTOINCREMENT picks it; a streamed run passes the id it reserved (main/store/streamed-runs.ts).
    insertRun: db.prepare<[Record<string, unknown>]>(`
      INSERT INTO runs (id, session_id, scenario_id, profile_id, kernel, scheme, quirks, arch, variant, created_at,
                        steps, violations, blocked, events, result_codec, result, layout, checksum)
      VALUES (@id, @session_id, @scenario_id, @profile_id, @kernel, @scheme, @quirks, @arch, @variant, @created_at,
              @steps, @violations, @blocked, @events, @result_codec, @result, 2, @checksum)`),
    insertRecords: db.prepare<[number, string, number, number, number, number, Uint8Array]>(
      'INSERT INTO run_records (run_id, kind, chunk_no, first, count, checksum, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    insertViolationKind: db.prepare<[number, string, number]>('INSERT INTO run_violation_kinds (run_id, kind, count) VALUES (?, ?, ?)'),
    insertString: db.prepare<[number, string, number, string]>('INSERT INTO run_strings (run_id, kind, idx, text) VALUES (?, ?, ?, ?)'),
    insertChunk: db.prepare<[number, number, number, number, number, number, number, number, Buffer]>(
      'INSERT INTO event_chunks (run_id, chunk_no, first_seq, count, step_min, step_max, kinds, checksum, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    listRuns: db.prepare<[{ session: string | null; scenario: string | null; kernel: string | null; limit: number }], RunSummary>(`
      ${SUMMARY_SELECT} ${SUMMARY_FROM}
      WHERE (@session IS NULL OR se.name = @session)
        AND (@scenario IS NULL OR sc.name = @scenario)
        AND (@kernel IS NULL OR r.kernel = @kernel)
      ORDER BY r.id DESC
      LIMIT @limit`),
    getRun: db.prepare<[number], RunRowWithSource>(
      `${SUMMARY_SELECT}, r.quirks, r.created_at, r.result_codec, r.result, r.layout, r.checksum, sc.source, sc.hash AS scenario_hash ${SUMMARY_FROM} WHERE r.id = ?`,
    ),
    runRow: db.prepare<[number], RunRow>(
      'SELECT id, kernel, scheme, quirks, arch, variant, created_at, steps, violations, blocked, events, result_codec, result, layout, checksum FROM runs WHERE id = ?',
    ),
    runStrings: db.prepare<[number], { kind: 'task' | 'cause'; idx: number; text: string }>('SELECT kind, idx, text FROM run_strings WHERE run_id = ? ORDER BY kind, idx'),
    // Chunk metadata is read before the BLOB column, so skipped chunks cost no overflow-page reads.
    chunks: db.prepare<[{ run: number; fromSeq: number; mask: number | null; step: number | null }], EventChunkRow>(`
      SELECT chunk_no, first_seq, count, step_min, step_max, kinds, checksum, data FROM event_chunks
      WHERE run_id = @run
        AND first_seq + count > @fromSeq
        AND (@mask IS NULL OR (kinds & @mask) != 0)
        AND (@step IS NULL OR (step_min <= @step AND step_max >= @step))
      ORDER BY chunk_no`),
    records: db.prepare<[number, string], RecordChunkRow>('SELECT chunk_no, first, count, checksum, data FROM run_records WHERE run_id = ? AND kind = ? ORDER BY chunk_no'),
    // Runs that may hold matching violations, oldest first: layout-1 runs through their violation
    // rows, layout-2 runs through their per-kind counts.
    violationRuns: db.prepare<[{ runId: number | null; kind: string | null; session: string | null }], { id: number; layout: number }>(`
      SELECT r.id, r.layout FROM runs r LEFT JOIN sessions se ON se.id = r.session_id
      WHERE (@runId IS NULL OR r.id = @runId)
        AND (@session IS NULL OR se.name = @session)
        AND r.violations > 0
        AND (@kind IS NULL
             OR EXISTS (SELECT 1 FROM violations v WHERE v.run_id = r.id AND v.kind = @kind)
             OR EXISTS (SELECT 1 FROM run_violation_kinds k WHERE k.run_id = r.id AND k.kind = @kind))
      ORDER BY r.id`),
    legacyViolations: db.prepare<[{ runId: number; kind: string | null }], StoredViolation>(`
      SELECT run_id AS runId, kind, step, message, pfn FROM violations
      WHERE run_id = @runId AND (@kind IS NULL OR kind = @kind)
      ORDER BY id`),
    listSessions: db.prepare<[], SessionSummary>(`
      SELECT se.name, se.created_at AS createdAt, count(r.id) AS runs
      FROM sessions se LEFT JOIN runs r ON r.session_id = se.id
      GROUP BY se.id
      ORDER BY se.name`),
    runRefs: db.prepare<[number], { profile_id: number; scenario_id: number }>('SELECT profile_id, scenario_id FROM runs WHERE id = ?'),
    deleteRun: db.prepare<[number]>('DELETE FROM runs WHERE id = ?'),
    // Profiles and scenarios are shared between runs; drop one only when its last run goes.
    // A session's matrix (session_items) also holds its inputs, for --resume and skipped combinations.
    deleteOrphanProfile: db.prepare<[number, number, number]>(
      'DELETE FROM profiles WHERE id = ? AND NOT EXISTS (SELECT 1 FROM runs WHERE profile_id = ?) AND NOT EXISTS (SELECT 1 FROM session_items WHERE profile_id = ?)',
    ),
    deleteOrphanScenario: db.prepare<[number, number, number]>(
      'DELETE FROM scenarios WHERE id = ? AND NOT EXISTS (SELECT 1 FROM runs WHERE scenario_id = ?) AND NOT EXISTS (SELECT 1 FROM session_items WHERE scenario_id = ?)',
    ),
  }
}

export class TraceStore implements TraceStoreApi {
  private readonly sql: ReturnType<typeof prepareStatements>
  private readonly streamed: StreamedRuns
  /** Whether the one integrity check before the first write has run and passed. */
  private checkedForWrite = false
  /** Whether a streamed run (beginStreamedRun) is being written through this handle. */
  private streaming = false

  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    private readonly chunkEvents: number,
    private readonly chunkRecords: number,
    /** Why writes are refused: the store is read-only or was found damaged. */
    private refusal: StoreError | undefined,
  ) {
    this.sql = prepareStatements(db)
    this.streamed = new StreamedRuns(db)
  }

  /**
   * Opens (creating it and its directories if missing) the store at `file`, default defaultDbPath().
   * Refuses, without writing to it, a file that is not a daxlab database or has a newer schema. A file
   * that may not be written opens read-only: reads work, writes throw "store is read-only: PATH".
   */
  static open(file: string = defaultDbPath(), options: OpenOptions = {}): TraceStore {
    const path = resolve(file)
    const chunkEvents = options.chunkEvents ?? DEFAULT_CHUNK_EVENTS
    if (!Number.isInteger(chunkEvents) || chunkEvents < 1 || chunkEvents > 1 << 20) throw new RangeError(`chunkEvents must be an integer in [1, ${1 << 20}]`)
    const chunkRecords = options.chunkRecords ?? DEFAULT_CHUNK_RECORDS
    if (!Number.isInteger(chunkRecords) || chunkRecords < 1 || chunkRecords > 1 << 20) throw new RangeError(`chunkRecords must be an integer in [1, ${1 << 20}]`)
    const { db, readOnly } = openConnection(path)
    try {
      const store = new TraceStore(path, db, chunkEvents, chunkRecords, readOnly ? readOnlyError(path, readOnly) : undefined)
      store.checkedForWrite = options.checkedForWrite === true
      return store
    } catch (e) {
      db.close()
      throw openFailure(path, e) // preparing the statements reads the whole schema
    }
  }

  /**
   * The open connection, for the session and archive modules (main/store/sessions/) that keep their
   * own tables in this file and must join this connection's transactions.
   */
  connection(): Database.Database {
    return this.db
  }

  schemaVersion(): number {
    return userVersion(this.db)
  }

  /** Why this handle refuses writes (read-only or damaged store), or undefined when it writes. */
  get readOnly(): string | undefined {
    return this.refusal?.message
  }

  /**
   * Throws the refusal when the store must not be written. Before the first write through a handle,
   * SQLite's quick_check must pass: writing into a damaged b-tree spreads the damage.
   */
  assertWritable(): void {
    if (this.refusal) throw this.refusal
    if (this.checkedForWrite) return
    const lines = sqliteCheck(this.db, 'quick_check')
    if (lines.length !== 1 || lines[0] !== 'ok') this.markDamaged(`SQLite's quick_check found ${lines.length} problem(s), the first: ${lines[0]}`)
    this.checkedForWrite = true
    if (!this.db.inTransaction) this.removeDeadWriters()
  }

  /**
   * Deletes the chunks of streamed runs whose writer died (a killed `daxlab run`). Nothing reads them,
   * so a failure here (another writer holding the lock past the busy timeout) only leaves them for the
   * next write, and must not fail the write the caller is about to make.
   */
  private removeDeadWriters(): void {
    try {
      this.streamed.removeDeadWriters()
    } catch (e) {
      if (isCorruption(e)) this.markDamaged(`SQLite reports ${message(e)}`)
    }
  }

  /** How this handle chunks what it writes: a prepareRun on another thread must use the same sizes. */
  get chunking(): { readonly chunkEvents: number; readonly chunkRecords: number } {
    return { chunkEvents: this.chunkEvents, chunkRecords: this.chunkRecords }
  }

  saveRun(input: SaveRunInput): number {
    this.assertWritable()
    const log = input.trace.events
    // CPU-only preparation stays outside the transaction so the write lock is held only for writes
    // (event chunks are packed one at a time inside it, as the writer asks for them, straight from the
    // engine's log: no flat copy of the whole run first).
    const prepared = prepareRun(
      { result: input.result, columns: log, tasks: log.tasks, causes: log.causes, scenarioText: input.scenarioText, profile: input.profile, session: input.session },
      this.chunking,
    )
    return this.savePrepared(prepared)
  }

  /**
   * Writes a run prepared by prepareRun (here, or on a sweep's worker thread) in one transaction.
   * `refs`, for a caller writing many runs inside its own one transaction (a sweep's batch): the ids of
   * the session, scenario and profile rows upserted so far in that transaction, reused instead of
   * upserting the same rows again (the upserts were most of a small run's write). Never keep it
   * across transactions: a row it names could be deleted in between. With `refs`, the call must be
   * inside that transaction, and a throw must roll it back whole (db.transaction does).
   */
  savePrepared(run: PreparedRun, refs?: Map<string, number>): number {
    this.assertWritable()
    const write = (): number => {
      const runId = this.insertRunHead(run, run.row, run.checksum, refs)
      for (const c of run.events) this.insertEventChunk(runId, c)
      this.insertRunTail(runId, run)
      return runId
    }
    // Everything below commits together or not at all: a throw anywhere (a bad trace, a full disk)
    // rolls back the run row with its records and chunks. No await may ever appear in here.
    // With `refs` the caller's own transaction already does that for all its runs, so no savepoint
    // is nested per run: a sweep writes ~1000 runs, and a savepoint (with a new better-sqlite3
    // transaction wrapper) per run was a sizeable part of its writer's CPU (ADR 0025).
    if (refs) {
      if (!this.db.inTransaction) throw new Error('savePrepared with refs must run inside the caller\'s transaction')
      return this.guard(write)
    }
    return this.guard(() => this.db.transaction(write)())
  }

  /**
   * Starts a run whose events arrive while it is still being simulated (a streamed save,
   * main/store/run-writer/). Its id is reserved now, and each append() commits its chunks into
   * event_chunks in a short transaction of its own; finish() writes the runs row, its records and
   * string tables in one more, and only that makes the run visible: every read starts from runs. So
   * readers see the whole run or nothing, other writers get the lock between appends, and a crash
   * leaves chunks without a run, which `store check` reports and the next write removes once their
   * process is gone (main/store/streamed-runs.ts; docs/adr/0033-streamed-saves-commit-chunks-as-they-come.md).
   */
  beginStreamedRun(head: PreparedRunHead): StreamedRun {
    this.assertWritable()
    const db = this.db
    if (this.streaming || db.inTransaction) throw new Error('the store is already writing a run')
    const runId = this.guard(() => this.streamed.reserve())
    const autocheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number
    db.pragma(`wal_autocheckpoint = ${STREAMING_AUTOCHECKPOINT}`)
    this.streaming = true
    let open = true
    const end = () => {
      open = false
      this.streaming = false
      db.pragma(`wal_autocheckpoint = ${autocheckpoint}`)
    }
    // A run that failed leaves nothing: its chunks go too. If even that fails, they stay invisible
    // until a write after this process has ended removes them, and the error that ended the run is
    // the one to report.
    const drop = () => {
      end()
      try {
        this.guard(() => this.streamed.drop(runId))
      } catch {
        // see above
      }
    }
    const ended = () => {
      if (!open) throw new Error('the streamed run has already ended')
    }
    return {
      runId,
      append: (chunks) => {
        ended()
        try {
          this.guard(() => this.streamed.commitChunks(() => chunks.forEach((c) => this.insertEventChunk(runId, c))))
        } catch (e) {
          drop()
          throw e
        }
      },
      finish: (tail) => {
        ended()
        try {
          this.guard(() =>
            db
              .transaction(() => {
                this.insertRunHead(head, tail.row, tail.checksum, undefined, runId)
                this.insertRunTail(runId, tail)
                this.streamed.release(runId)
              })
              .immediate(),
          )
        } catch (e) {
          drop()
          throw e
        }
        end()
        return runId
      },
      abort: () => {
        if (open) drop()
      },
    }
  }

  private insertRunHead(head: PreparedRunHead, row: PreparedRunRow, checksum: number, refs?: Map<string, number>, id?: number): number {
    const sql = this.sql
    const once = (key: string, upsert: () => number): number => {
      let id = refs?.get(key)
      if (id === undefined) {
        id = upsert()
        refs?.set(key, id)
      }
      return id
    }
    const sessionId = head.session !== undefined ? once(`session\n${head.session}`, () => sql.upsertSession.get(head.session!, row.created_at || new Date().toISOString())!) : null
    const profileId = once(`profile\n${head.profile.hash}`, () => sql.upsertProfile.get(head.profile.hash, head.profile.name, head.profile.arch, head.profile.body)!)
    const scenarioId = once(`scenario\n${head.scenarioHash}\n${head.scenario}`, () => sql.upsertScenario.get(head.scenario, head.scenarioHash, head.scenarioText)!)
    return Number(sql.insertRun.run({ ...row, id: id ?? null, session_id: sessionId, scenario_id: scenarioId, profile_id: profileId, checksum }).lastInsertRowid)
  }

  private insertEventChunk(runId: number, c: PreparedEventChunk): void {
    this.sql.insertChunk.run(runId, c.no, c.first, c.count, c.stepMin, c.stepMax, c.kinds, c.checksum, asBuffer(c.data))
  }

  private insertRunTail(runId: number, tail: PreparedRunTail): void {
    const sql = this.sql
    for (const r of tail.records) sql.insertRecords.run(runId, r.kind, r.no, r.first, r.count, r.checksum, r.data)
    for (const [kind, count] of tail.violationKinds) sql.insertViolationKind.run(runId, kind, count)
    tail.tasks.forEach((text, i) => sql.insertString.run(runId, 'task', i, text))
    tail.causes.forEach((text, i) => sql.insertString.run(runId, 'cause', i, text))
  }

  listRuns(filter: RunFilter = {}): RunSummary[] {
    return this.guard(() =>
      this.sql.listRuns.all({
        session: filter.session ?? null,
        scenario: filter.scenario ?? null,
        kernel: filter.kernel ?? null,
        limit: filter.limit ?? -1, // SQLite: a negative LIMIT means none
      }),
    )
  }

  getRun(id: number): { summary: RunSummary; result: RunResult; scenarioText: string } | undefined {
    return this.guard(() => {
      const row = this.sql.getRun.get(id)
      if (!row) return undefined
      const { tasks, causes } = this.strings(id)
      this.verify(verifyRun(row, tasks, causes))
      if (sha256(row.source) !== row.scenario_hash) this.markDamaged(`run ${id}: its scenario source does not match its hash`)
      const { id: _id, scenario, kernel, scheme, arch, variant, profile, session, createdAt, steps, violations, blocked, events } = row
      const summary: RunSummary = { id: _id, scenario, kernel, scheme, arch, variant, profile, session, createdAt, steps, violations, blocked, events }
      return { summary, result: this.rebuildResult(row), scenarioText: row.source }
    })
  }

  /** The RunResult as saved: layout 1 keeps it whole; layout 2 adds the packed steps and violations back. */
  private rebuildResult(row: RunRow): RunResult {
    const result = decodeResult(row.result_codec, row.result)
    if (row.layout === 1) return result
    const steps = this.records(row.id, 'steps', row.steps) as StepResult[]
    const violations = this.records(row.id, 'violations', row.violations) as Violation[]
    return Object.assign(result, { steps, violations })
  }

  private records(runId: number, kind: 'steps' | 'violations', expected: number): object[] {
    const out: object[] = []
    for (const chunk of this.sql.records.iterate(runId, kind)) {
      this.verify(verifyRecordChunk(runId, kind, chunk, out.length))
      for (const r of unpackRecords(chunk.data)) out.push(r)
    }
    if (out.length !== expected) this.markDamaged(`run ${runId}: ${out.length} ${kind} stored, its row counts ${expected}`)
    return out
  }

  private strings(runId: number): { tasks: string[]; causes: string[] } {
    const tasks: string[] = []
    const causes: string[] = []
    for (const s of this.sql.runStrings.iterate(runId)) (s.kind === 'task' ? tasks : causes)[s.idx] = s.text
    return { tasks, causes }
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
    return this.guard(() => {
      const row = this.sql.runRow.get(id)
      if (!row) return out
      // The string tables decode every event: the run's checksum covers them.
      const { tasks, causes } = this.strings(id)
      this.verify(verifyRun(row, tasks, causes))
      for (const chunk of this.sql.chunks.iterate({ run: id, fromSeq, mask, step })) {
        this.verify(verifyEventChunk(id, chunk))
        const cols = unpackChunk(chunk.data)
        for (let i = Math.max(0, fromSeq - chunk.first_seq); i < cols.count; i++) {
          if (!keep[cols.kind[i]!]) continue
          if (step !== null && cols.step[i] !== step) continue
          out.push(decodeEvent(cols, i, chunk.first_seq + i, tasks, causes))
          if (out.length >= limit) return out // leaving the loop resets the statement
        }
      }
      return out
    })
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
    this.guard(() => {
      const row = this.sql.runRow.get(id)
      if (!row) return
      // Verified as getEvents verifies: the run's checksum covers the string tables, each chunk its own.
      const strings = this.strings(id)
      this.verify(verifyRun(row, strings.tasks, strings.causes))
      for (const chunk of this.sql.chunks.iterate({ run: id, fromSeq: Math.max(0, query.fromSeq ?? 0), mask, step: null })) {
        this.verify(verifyEventChunk(id, chunk))
        if (visit(unpackChunk(chunk.data), chunk.first_seq, strings) === false) return // leaving the loop resets the statement
      }
    })
  }

  listViolations(filter: { runId?: number; kind?: string; session?: string } = {}): StoredViolation[] {
    const kind = filter.kind ?? null
    return this.guard(() => {
      const out: StoredViolation[] = []
      for (const run of this.sql.violationRuns.all({ runId: filter.runId ?? null, kind, session: filter.session ?? null })) {
        if (run.layout === 1) {
          for (const v of this.sql.legacyViolations.all({ runId: run.id, kind })) out.push(v)
          continue
        }
        const row = this.sql.runRow.get(run.id)!
        for (const v of this.records(run.id, 'violations', row.violations) as Violation[]) {
          if (kind === null || v.kind === kind) out.push({ runId: run.id, kind: v.kind, step: v.step, message: v.message, pfn: v.pfn ?? null })
        }
      }
      return out
    })
  }

  listSessions(): SessionSummary[] {
    return this.guard(() => this.sql.listSessions.all())
  }

  deleteRun(id: number): boolean {
    this.assertWritable()
    return this.guard(() =>
      this.db.transaction((): boolean => {
        const refs = this.sql.runRefs.get(id)
        if (!refs) return false
        this.sql.deleteRun.run(id) // records, steps, violations, strings and chunks go by ON DELETE CASCADE
        this.sql.deleteOrphanProfile.run(refs.profile_id, refs.profile_id, refs.profile_id)
        this.sql.deleteOrphanScenario.run(refs.scenario_id, refs.scenario_id, refs.scenario_id)
        return true
      })(),
    )
  }

  /**
   * Everything `daxlab store check` reports: SQLite's integrity_check and every checksum in the file.
   * A store with any problem is damaged: this handle refuses writes from then on.
   */
  check(): CheckReport {
    const report = this.guard(() => checkStore(this.db, this.streamed))
    if (!report.ok) this.refusal ??= damagedError(this.path, report.problems[0]!)
    return report
  }

  close(): void {
    if (!this.db.open) return
    // Refreshes planner statistics where they are stale; cheap. It writes, so never on a store that
    // must not be written.
    if (!this.refusal && !this.db.readonly && !this.db.memory) this.db.pragma('optimize')
    this.db.close()
  }

  /** Turns SQLite's corruption errors into a damaged-store error, after which the handle refuses writes. */
  private guard<T>(fn: () => T): T {
    try {
      return fn()
    } catch (e) {
      if (isCorruption(e)) this.markDamaged(`SQLite reports ${message(e)}`)
      throw e
    }
  }

  /** A verify* result: undefined when the row is sound, else what is wrong with it. */
  private verify(problem: string | undefined): void {
    if (problem !== undefined) this.markDamaged(problem)
  }

  private markDamaged(what: string): never {
    const error = damagedError(this.path, what)
    if (this.refusal?.code !== 'damaged') this.refusal = error
    throw error
  }
}
