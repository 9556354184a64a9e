/**
 * Where a streamed save keeps its event chunks until the run is finished (TraceStore.beginStreamedRun):
 * a private temporary database attached to the store's connection. `ATTACH ''` makes SQLite create it
 * as an anonymous file in its temporary directory and delete it on DETACH or when the connection
 * closes, so nothing is left behind even if the process dies. It is not journaled and never synced:
 * its content only has to last as long as this connection, and if it is lost nothing of the run was
 * stored.
 *
 * The chunks keep their numbers, summaries and checksums (which do not cover the run id), and
 * moveInto() copies them under the run's id in one INSERT ... SELECT inside the caller's transaction.
 */
import type Database from 'better-sqlite3'
import { asBuffer } from './blob'
import type { PreparedEventChunk } from './prepared-run'

const SCHEMA = 'daxlab_staged'

export interface StagedChunks {
  append(chunk: PreparedEventChunk): void
  /** Copies every chunk into event_chunks as run `runId`; call inside the transaction that writes the run row. */
  moveInto(runId: number): void
  /** Detaches the temporary database (its file goes with it); safe to call more than once. */
  drop(): void
}

export function stageChunks(db: Database.Database): StagedChunks {
  // A staging area left attached by a drop that failed is dropped first: it holds nothing anyone needs.
  if (attached(db)) db.exec(`DETACH DATABASE ${SCHEMA}`)
  db.exec(`ATTACH DATABASE '' AS ${SCHEMA}`)
  try {
    db.pragma(`${SCHEMA}.journal_mode = OFF`)
    db.pragma(`${SCHEMA}.synchronous = OFF`)
    // Written once in order and read once in order: a small page cache does, where the build's default
    // (16 MB per attached database) raised an import's peak RSS by ~12 MiB for nothing.
    db.pragma(`${SCHEMA}.cache_size = -1024`)
    db.exec(`CREATE TABLE ${SCHEMA}.chunks (
      chunk_no INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, count INTEGER NOT NULL, step_min INTEGER NOT NULL,
      step_max INTEGER NOT NULL, kinds INTEGER NOT NULL, checksum INTEGER NOT NULL, data BLOB NOT NULL)`)
    const insert = db.prepare<[number, number, number, number, number, number, number, Buffer]>(`INSERT INTO ${SCHEMA}.chunks VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    const move = db.prepare<[number]>(`
      INSERT INTO main.event_chunks (run_id, chunk_no, first_seq, count, step_min, step_max, kinds, checksum, data)
      SELECT ?, chunk_no, first_seq, count, step_min, step_max, kinds, checksum, data FROM ${SCHEMA}.chunks ORDER BY chunk_no`)
    let dropped = false
    return {
      append: (c) => void insert.run(c.no, c.first, c.count, c.stepMin, c.stepMax, c.kinds, c.checksum, asBuffer(c.data)),
      moveInto: (runId) => void move.run(runId),
      drop: () => {
        if (dropped) return
        dropped = true
        try {
          db.exec(`DETACH DATABASE ${SCHEMA}`)
        } catch {
          // Only a statement still running on it stops a DETACH. Then it stays attached, holding an
          // anonymous file that goes with the connection, and the next stageChunks detaches it first;
          // failing here would hide the error that ended the run, if one did.
        }
      },
    }
  } catch (e) {
    db.exec(`DETACH DATABASE ${SCHEMA}`)
    throw e
  }
}

function attached(db: Database.Database): boolean {
  return (db.pragma('database_list') as { name: string }[]).some((d) => d.name === SCHEMA)
}
