/**
 * Feeds the pure session diff (main/diff) from a database in the store's schema: the trace store
 * itself or an opened archive, read-only either way. Results and events are decoded only when the
 * diff asks, which it does only for pairs whose digests differ.
 */
import type Database from 'better-sqlite3'
import { regionSpans } from '../../diff/regions'
import type { DiffRun, DiffSide, NotRun, RunEvents } from '../../diff/types'
import type { Profile } from '../../formats/profile'
import { concatColumns } from '../../sim/events'
import { kernelModel } from '../../sim/kernel-model'
import { unpackChunk } from '../event-codec'
import { readStoredResult } from '../stored-result'
import { digestsOf, runStrings } from './digests-stored'

interface RunRow {
  id: number
  scenario: string
  kernel: string
  arch: string
  variant: string
  profile: string
  profileHash: string
  body: string
}

export function diffSide(db: Database.Database, sessionName: string, label: string): DiffSide | undefined {
  const session = db.prepare('SELECT id FROM sessions WHERE name = ?').pluck().get(sessionName) as number | undefined
  if (session === undefined) return undefined
  const tables = new Set(db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).pluck().all() as string[])
  const rows = db
    .prepare(
      `SELECT r.id, sc.name AS scenario, r.kernel, r.arch, r.variant, COALESCE(p.name, 'inline') AS profile, p.hash AS profileHash, p.body
       FROM runs r JOIN scenarios sc ON sc.id = r.scenario_id JOIN profiles p ON p.id = r.profile_id
       WHERE r.session_id = ? ORDER BY r.id`,
    )
    .all(session) as RunRow[]
  const runs: DiffRun[] = rows.map((row) => {
    const { id, body, ...key } = row
    return {
      key,
      label: `run ${id}`,
      digests: digestsOf(db, id, tables.has('run_digests')),
      result: () => readStoredResult(db, id),
      events: () => loadEvents(db, id),
      regions: () => regionSpans(JSON.parse(body) as Profile, row.kernel, row.arch, row.variant),
    }
  })
  const notRun: NotRun[] = tables.has('session_items')
    ? (
        db
          .prepare(
            `SELECT sc.name AS scenario, i.kernel, i.arch, i.variant, COALESCE(p.name, 'inline') AS profile, p.hash AS profileHash, i.status, i.reason
             FROM session_items i JOIN scenarios sc ON sc.id = i.scenario_id JOIN profiles p ON p.id = i.profile_id
             WHERE i.session_id = ? AND i.status != 'done' ORDER BY i.idx`,
          )
          .all(session) as (RunRow & { status: NotRun['status']; reason: string | null })[]
      ).map(({ status, reason, ...key }) => ({ key: { ...key, kernel: kernelLabel(key.kernel) }, status, reason }))
    : []
  return { label, runs, notRun }
}

/** Items keep the kernel as requested (`legacy`); runs keep the release label (`6.14`). */
function kernelLabel(text: string): string {
  try {
    return kernelModel(text).label
  } catch {
    return text
  }
}

/** A run's whole event log, its chunks concatenated column by column. */
export function loadEvents(db: Database.Database, runId: number): RunEvents {
  const chunks = (db.prepare('SELECT data FROM event_chunks WHERE run_id = ? ORDER BY chunk_no').pluck().all(runId) as Buffer[]).map(unpackChunk)
  return { cols: concatColumns(chunks), ...runStrings(db, runId) }
}
