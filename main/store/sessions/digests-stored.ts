/**
 * Run digests of stored runs: read from run_digests when a sweep wrote them, otherwise computed from
 * the stored result and chunks (the same values the sweep computes from the engine's log).
 */
import type Database from 'better-sqlite3'
import { unpackChunk } from '../event-codec'
import { readStoredResult } from '../stored-result'
import { EventsDigest, resultDigest, type RunDigests } from './digest'

/** A run's task and cause string tables (its events hold indexes into them). */
export function runStrings(db: Database.Database, runId: number): { tasks: string[]; causes: string[] } {
  const tasks: string[] = []
  const causes: string[] = []
  for (const s of db.prepare('SELECT kind, idx, text FROM run_strings WHERE run_id = ?').all(runId) as { kind: string; idx: number; text: string }[]) {
    ;(s.kind === 'task' ? tasks : causes)[s.idx] = s.text
  }
  return { tasks, causes }
}

export function computeDigests(db: Database.Database, runId: number): RunDigests {
  const { tasks, causes } = runStrings(db, runId)
  const events = new EventsDigest()
  for (const data of db.prepare('SELECT data FROM event_chunks WHERE run_id = ? ORDER BY chunk_no').pluck().iterate(runId) as IterableIterator<Buffer>) {
    events.add(unpackChunk(data))
  }
  return { result: resultDigest(readStoredResult(db, runId)), events: events.finish(tasks, causes) }
}

/** The digests of a run: stored ones when present (run_digests may be absent in old archives). */
export function digestsOf(db: Database.Database, runId: number, hasTable: boolean): RunDigests {
  if (hasTable) {
    const row = db.prepare('SELECT result_sha256 AS result, events_sha256 AS events FROM run_digests WHERE run_id = ?').get(runId) as RunDigests | undefined
    if (row) return row
  }
  return computeDigests(db, runId)
}

/** Stores the digests of the runs that lack them (before an export, so the archive carries them). */
export function ensureDigests(db: Database.Database, runIds: readonly number[]): void {
  const has = db.prepare('SELECT 1 FROM run_digests WHERE run_id = ?')
  const insert = db.prepare('INSERT INTO run_digests (run_id, result_sha256, events_sha256) VALUES (?, ?, ?)')
  db.transaction(() => {
    for (const id of runIds) {
      if (has.get(id)) continue
      const d = computeDigests(db, id)
      insert.run(id, d.result, d.events)
    }
  })()
}
