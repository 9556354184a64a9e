/** Reads runs from the store for the exporters (main/export): one run by id, or every run of a session. */
import type Database from 'better-sqlite3'
import { regionSpans } from '../../diff/regions'
import type { ExportRun } from '../../export/source'
import type { Profile } from '../../formats/profile'
import { readStoredResult } from '../stored-result'
import { loadEvents } from './diff-source'

interface Row {
  id: number
  session: string | null
  body: string
  kernel: string
  arch: string
  variant: string
}

const SELECT = `SELECT r.id, se.name AS session, p.body, r.kernel, r.arch, r.variant
  FROM runs r JOIN profiles p ON p.id = r.profile_id LEFT JOIN sessions se ON se.id = r.session_id`

function toExport(db: Database.Database, row: Row): ExportRun {
  return {
    label: `run ${row.id}`,
    runId: row.id,
    session: row.session,
    result: readStoredResult(db, row.id),
    events: loadEvents(db, row.id),
    regions: regionSpans(JSON.parse(row.body) as Profile, row.kernel, row.arch, row.variant),
  }
}

export function exportRunById(db: Database.Database, id: number): ExportRun | undefined {
  const row = db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as Row | undefined
  return row ? toExport(db, row) : undefined
}

/** The session's runs in id order. */
export function exportSessionRuns(db: Database.Database, session: string): ExportRun[] {
  const ids = db.prepare('SELECT r.id FROM runs r JOIN sessions se ON se.id = r.session_id WHERE se.name = ? ORDER BY r.id').pluck().all(session) as number[]
  return ids.map((id) => exportRunById(db, id)!)
}
