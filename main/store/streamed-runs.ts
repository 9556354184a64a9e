/**
 * The bookkeeping of streamed saves (TraceStore.beginStreamedRun): a run saved while it is simulated
 * reserves its id when it starts, commits its event chunks into event_chunks under that id as they
 * come, and writes its runs row last. Until then nothing reads the chunks: every read and every count
 * starts from runs. The reservation (table streamed_runs, schema version 6) names the writing process,
 * so chunks whose writer died can be told from those of a run still being written and removed
 * (docs/adr/0033-streamed-saves-commit-chunks-as-they-come.md).
 */
import type Database from 'better-sqlite3'
import { hostname } from 'node:os'

/** Whether the process that reserved a streamed run still runs: unknown when it ran on another host. */
export type WriterState = 'running' | 'ended' | 'unknown'

/** A streamed run without its runs row: one being written, or one whose writer died. */
export interface UnfinishedRun {
  readonly runId: number
  readonly pid: number
  readonly host: string
  readonly startedAt: string
  readonly eventChunks: number
  readonly events: number
  readonly writer: WriterState
}

interface ReservationRow {
  run_id: number
  pid: number
  host: string
  started_at: string
}

export class StreamedRuns {
  private readonly sql

  constructor(private readonly db: Database.Database) {
    this.sql = {
      sequence: db.prepare<[], number>("SELECT seq FROM sqlite_sequence WHERE name = 'runs'").pluck(),
      highest: db.prepare<[], number>('SELECT coalesce(max(id), 0) FROM runs').pluck(),
      insertSequence: db.prepare<[number]>("INSERT INTO sqlite_sequence (name, seq) VALUES ('runs', ?)"),
      updateSequence: db.prepare<[number]>("UPDATE sqlite_sequence SET seq = ? WHERE name = 'runs'"),
      reserve: db.prepare<[number, number, string, string]>('INSERT INTO streamed_runs (run_id, pid, host, started_at) VALUES (?, ?, ?, ?)'),
      release: db.prepare<[number]>('DELETE FROM streamed_runs WHERE run_id = ?'),
      deleteChunks: db.prepare<[number]>('DELETE FROM event_chunks WHERE run_id = ?'),
      reservations: db.prepare<[], ReservationRow>('SELECT run_id, pid, host, started_at FROM streamed_runs ORDER BY run_id'),
      held: db.prepare<[number], { chunks: number; events: number }>('SELECT count(*) AS chunks, coalesce(sum(count), 0) AS events FROM event_chunks WHERE run_id = ?'),
    }
  }

  /**
   * Takes the next run id as AUTOINCREMENT would hand it out (one past the larger of the sequence and
   * the highest id in runs), and moves the sequence to it, so a run
   * saved meanwhile gets a higher id and no later run ever gets this one (even if this run is dropped).
   * Its own IMMEDIATE transaction: two writers starting at once serialise on the write lock.
   */
  reserve(): number {
    return this.db
      .transaction(() => {
        const seq = this.sql.sequence.get()
        const id = Math.max(seq ?? 0, this.sql.highest.get() ?? 0) + 1
        if (seq === undefined) this.sql.insertSequence.run(id)
        else this.sql.updateSequence.run(id)
        this.sql.reserve.run(id, process.pid, hostname(), new Date().toISOString())
        return id
      })
      .immediate()
  }

  /**
   * Runs `insertChunks` (event chunks of a reserved run) as one IMMEDIATE transaction, so the write
   * lock is held for one batch at a time and other writers go in between. Foreign keys are off for it
   * alone (the runs row comes last; PRAGMA foreign_keys is a no-op inside a transaction, hence the check).
   */
  commitChunks(insertChunks: () => void): void {
    if (this.db.inTransaction) throw new Error('a streamed run cannot commit chunks inside another transaction')
    this.db.pragma('foreign_keys = OFF')
    try {
      this.db.transaction(insertChunks).immediate()
    } finally {
      this.db.pragma('foreign_keys = ON')
    }
  }

  /** Ends the reservation; inside the transaction that writes the run's row. */
  release(runId: number): void {
    this.sql.release.run(runId)
  }

  /** Deletes the run's chunks and its reservation, in one transaction. */
  drop(runId: number): void {
    this.db
      .transaction(() => {
        this.sql.deleteChunks.run(runId)
        this.sql.release.run(runId)
      })
      .immediate()
  }

  /** Every reservation with what its chunks hold and whether its writer still runs. */
  unfinished(): UnfinishedRun[] {
    return this.sql.reservations.all().map((r) => {
      const held = this.sql.held.get(r.run_id)!
      return { runId: r.run_id, pid: r.pid, host: r.host, startedAt: r.started_at, eventChunks: held.chunks, events: held.events, writer: writerState(r) }
    })
  }

  /** Drops the runs whose writer has ended (on this host). */
  removeDeadWriters(): void {
    for (const r of this.sql.reservations.all()) if (writerState(r) === 'ended') this.drop(r.run_id)
  }
}

/**
 * A pid is only meaningful on the host that wrote it. Signal 0 tests for the process without
 * touching it: ESRCH means there is none, EPERM one that belongs to another user (alive). A pid the
 * system has since given to another process reads as running, which only keeps the leftovers longer.
 */
function writerState(r: ReservationRow): WriterState {
  if (r.host !== hostname()) return 'unknown'
  if (r.pid === process.pid) return 'running'
  try {
    process.kill(r.pid, 0)
    return 'running'
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH' ? 'ended' : 'running'
  }
}
