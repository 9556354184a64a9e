/**
 * Writing and importing `.daxlab` session archives (docs/sessions.md#archive). Both sides copy rows
 * with INSERT ... SELECT across an ATTACHed file on the store's connection: the BLOB chunks never pass
 * through JavaScript, and the copy is one transaction, so it lands whole or not at all.
 *
 * Export writes a temporary file next to the target and renames it into place: a reader never sees a
 * half-written archive. Import checks the archive completely (archive-format.ts openArchive) before
 * it opens the store, so a refused archive leaves the store byte for byte as it was.
 */
import Database from 'better-sqlite3'
import { renameSync, rmSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { nativeBindingPath } from '../native-binding'
import { sha256 } from '../result-codec'
import { SCHEMA_VERSION, migrate } from '../schema'
import type { TraceStore } from '../trace-store'
import { ARCHIVE_APPLICATION_ID, ARCHIVE_FORMAT, contentChecksum, type OpenedArchive } from './archive-format'
import { ensureDigests } from './digests-stored'
import { SessionError, SessionStore, checkSessionName } from './session-store'

export interface ExportOutcome {
  readonly file: string
  readonly runs: number
  readonly bytes: number
  readonly checksum: string
}

export function exportSession(store: TraceStore, name: string, target: string, labVersion: string): ExportOutcome {
  const sessions = new SessionStore(store)
  const id = sessions.idOf(name)
  const db = store.connection()
  ensureDigests(db, db.prepare('SELECT id FROM runs WHERE session_id = ?').pluck().all(id) as number[])
  const file = resolve(target)
  const tmp = `${file}.tmp-${process.pid}`
  rmSync(tmp, { force: true })
  try {
    createEmptyArchive(tmp)
    db.prepare('ATTACH DATABASE ? AS arc').run(tmp)
    try {
      db.transaction(() => copySessionOut(db, id))()
    } finally {
      db.exec('DETACH DATABASE arc')
    }
    const checksum = sealArchive(tmp, { format: ARCHIVE_FORMAT, lab_version: labVersion, schema_version: String(SCHEMA_VERSION), created_at: new Date().toISOString(), session: name })
    renameSync(tmp, file)
    const runs = db.prepare('SELECT count(*) FROM runs WHERE session_id = ?').pluck().get(id) as number
    return { file, runs, bytes: statSync(file).size, checksum }
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
}

function openPlain(file: string): Database.Database {
  const nativeBinding = nativeBindingPath()
  return new Database(file, nativeBinding ? { nativeBinding } : {})
}

/** A fresh file with the store's schema (the same migrations) and the archive's marker. */
function createEmptyArchive(file: string): void {
  const db = openPlain(file)
  try {
    db.pragma('page_size = 8192')
    migrate(db)
    db.pragma(`application_id = ${ARCHIVE_APPLICATION_ID}`)
    db.exec('CREATE TABLE archive_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)')
  } finally {
    db.close()
  }
}

/** Parents before children, so the store connection's foreign-key checks hold on every insert. */
function copySessionOut(db: Database.Database, id: number): void {
  const runIds = 'SELECT id FROM main.runs WHERE session_id = @id'
  db.prepare('INSERT INTO arc.sessions SELECT * FROM main.sessions WHERE id = @id').run({ id })
  db.prepare(
    `INSERT INTO arc.profiles SELECT * FROM main.profiles WHERE id IN (SELECT profile_id FROM main.runs WHERE session_id = @id UNION SELECT profile_id FROM main.session_items WHERE session_id = @id)`,
  ).run({ id })
  db.prepare(
    `INSERT INTO arc.scenarios SELECT * FROM main.scenarios WHERE id IN (SELECT scenario_id FROM main.runs WHERE session_id = @id UNION SELECT scenario_id FROM main.session_items WHERE session_id = @id)`,
  ).run({ id })
  db.prepare(`INSERT INTO arc.runs SELECT * FROM main.runs WHERE session_id = @id`).run({ id })
  db.prepare(`INSERT INTO arc.session_items SELECT * FROM main.session_items WHERE session_id = @id`).run({ id })
  for (const table of ['run_steps', 'violations', 'run_records', 'run_violation_kinds', 'run_strings', 'event_chunks', 'run_digests']) {
    db.prepare(`INSERT INTO arc.${table} SELECT * FROM main.${table} WHERE run_id IN (${runIds})`).run({ id })
  }
}

/** Writes archive_meta and the content checksum over everything else; returns the checksum. */
function sealArchive(file: string, meta: Record<string, string>): string {
  const db = openPlain(file)
  try {
    const insert = db.prepare('INSERT INTO archive_meta (key, value) VALUES (?, ?)')
    db.transaction(() => {
      for (const [k, v] of Object.entries(meta)) insert.run(k, v)
    })()
    const checksum = contentChecksum(db)
    insert.run('content_sha256', checksum)
    return checksum
  } finally {
    db.close()
  }
}

export type ImportStatus = 'imported' | 'merged' | 'duplicate' | 'nothing-new'

export interface ImportOutcome {
  readonly status: ImportStatus
  readonly session: string
  readonly runs: number
  readonly combinations: number
}

interface ArcSession {
  id: number
  name: string
  created_at: string
  note: string | null
  plan: string | null
  planned: number | null
  matrix_hash: string | null
}

/**
 * Imports a checked archive into the store: a new session, or, when the store already has a session of
 * that name from the same sweep matrix (a shard), the combinations it lacks. Names and texts from the
 * archive are data: the session name is checked like a user's, nothing is used as a path.
 */
export function importArchive(store: TraceStore, archive: OpenedArchive, as?: string): ImportOutcome {
  const db = store.connection()
  const sessions = new SessionStore(store)
  const seen = db.prepare('SELECT se.name FROM imported_archives ia JOIN sessions se ON se.id = ia.session_id WHERE ia.content_sha256 = ?').pluck().get(archive.checksum) as string | undefined
  if (seen !== undefined) return { status: 'duplicate', session: seen, runs: 0, combinations: 0 }
  const arcCols = (table: string) => new Set(archive.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[])
  const sessionCols = arcCols('sessions')
  const pick = (c: string) => (sessionCols.has(c) ? c : `NULL AS ${c}`)
  const arc = archive.db.prepare(`SELECT id, name, created_at, ${['note', 'plan', 'planned', 'matrix_hash'].map(pick).join(', ')} FROM sessions`).get() as ArcSession
  const name = checkSessionName(as ?? arc.name, as !== undefined ? '--as' : 'the archive\'s session name')
  const local = sessions.get(name)
  if (local && !(local.matrixHash !== null && local.matrixHash === arc.matrix_hash)) {
    throw new SessionError(`a session '${name}' already exists in ${store.path} and is not a shard of the same sweep; import with --as NEW_NAME`)
  }
  const hasItems = arcCols('session_items').size > 0
  db.prepare('ATTACH DATABASE ? AS arc').run(archive.file)
  try {
    return db.transaction((): ImportOutcome => {
      const sessionId = local ? sessions.idOf(name) : insertSession(db, name, arc)
      // Combinations this store does not hold yet (or holds only as pending).
      const items = hasItems
        ? (db
            .prepare(
              `SELECT a.idx, a.run_id AS runId FROM arc.session_items a
               WHERE a.session_id = @arcId AND NOT EXISTS (SELECT 1 FROM main.session_items m WHERE m.session_id = @sessionId AND m.idx = a.idx AND m.status != 'pending')
               ORDER BY a.idx`,
            )
            .all({ arcId: arc.id, sessionId }) as { idx: number; runId: number | null }[])
        : []
      const runs = local
        ? items.flatMap((i) => (i.runId === null ? [] : [i.runId]))
        : (db.prepare('SELECT id FROM arc.runs WHERE session_id = ? ORDER BY id').pluck().all(arc.id) as number[])
      if (local && items.length === 0) {
        return { status: 'nothing-new', session: name, runs: 0, combinations: 0 }
      }
      const copier = new RowCopier(db, archive)
      const runMap = new Map<number, number>()
      for (const runId of runs) runMap.set(runId, copier.copyRun(runId, sessionId))
      for (const item of items) copier.copyItem(arc.id, item.idx, sessionId, item.runId === null ? null : (runMap.get(item.runId) ?? null))
      db.prepare('INSERT INTO imported_archives (content_sha256, session_id, imported_at) VALUES (?, ?, ?)').run(archive.checksum, sessionId, new Date().toISOString())
      return { status: local ? 'merged' : 'imported', session: name, runs: runs.length, combinations: items.length }
    })()
  } finally {
    db.exec('DETACH DATABASE arc')
  }
}

function insertSession(db: Database.Database, name: string, arc: ArcSession): number {
  return db
    .prepare('INSERT INTO sessions (name, created_at, note, plan, planned, matrix_hash) VALUES (?, ?, ?, ?, ?, ?) RETURNING id')
    .pluck()
    .get(name, String(arc.created_at), arc.note ?? '', arc.plan, arc.planned, arc.matrix_hash) as number
}

/**
 * Copies rows from the attached archive into the store, with new ids. Columns the archive lacks
 * (written by an older schema) take the store's column default.
 */
class RowCopier {
  private readonly statements = new Map<string, Database.Statement>()
  private readonly profileIds = new Map<number, number>()
  private readonly scenarioIds = new Map<number, number>()

  constructor(
    private readonly db: Database.Database,
    private readonly archive: OpenedArchive,
  ) {}

  /** INSERT INTO main.table (store columns) SELECT (archive column, override, or default) FROM arc.table WHERE ... */
  private copy(table: string, overrides: Record<string, string>, where: string, skip: readonly string[] = []): Database.Statement {
    const key = `${table}|${where}|${Object.keys(overrides).join(',')}`
    let stmt = this.statements.get(key)
    if (!stmt) {
      const storeCols = this.db.prepare('SELECT name, dflt_value FROM pragma_table_info(?)').all(table) as { name: string; dflt_value: string | null }[]
      const arcCols = new Set(this.archive.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table) as string[])
      const cols = storeCols.filter((c) => !skip.includes(c.name))
      const exprs = cols.map((c) => overrides[c.name] ?? (arcCols.has(c.name) ? `"${c.name}"` : (c.dflt_value ?? 'NULL')))
      stmt = this.db.prepare(`INSERT INTO main.${table} (${cols.map((c) => `"${c.name}"`).join(', ')}) SELECT ${exprs.join(', ')} FROM arc.${table} WHERE ${where}`)
      this.statements.set(key, stmt)
    }
    return stmt
  }

  copyRun(arcRunId: number, sessionId: number): number {
    const refs = this.db.prepare('SELECT profile_id, scenario_id FROM arc.runs WHERE id = ?').get(arcRunId) as { profile_id: number; scenario_id: number }
    const profileId = this.profile(refs.profile_id)
    const scenarioId = this.scenario(refs.scenario_id)
    const newId = Number(
      this.copy('runs', { session_id: '@session', profile_id: '@profile', scenario_id: '@scenario' }, 'id = @run', ['id']).run({
        session: sessionId,
        profile: profileId,
        scenario: scenarioId,
        run: arcRunId,
      }).lastInsertRowid,
    )
    for (const table of ['run_steps', 'run_records', 'run_violation_kinds', 'run_strings', 'event_chunks', 'run_digests']) {
      if (!this.archiveHas(table)) continue
      this.copy(table, { run_id: '@newRun' }, 'run_id = @run').run({ newRun: newId, run: arcRunId })
    }
    this.copy('violations', { run_id: '@newRun' }, 'run_id = @run ORDER BY id', ['id']).run({ newRun: newId, run: arcRunId })
    return newId
  }

  copyItem(arcSessionId: number, idx: number, sessionId: number, runId: number | null): void {
    const row = this.db.prepare('SELECT scenario_id, profile_id FROM arc.session_items WHERE session_id = ? AND idx = ?').get(arcSessionId, idx) as { scenario_id: number; profile_id: number }
    this.db.prepare('DELETE FROM main.session_items WHERE session_id = ? AND idx = ?').run(sessionId, idx)
    this.copy('session_items', { session_id: '@session', scenario_id: '@scenario', profile_id: '@profile', run_id: '@runId' }, 'session_id = @arcSession AND idx = @idx').run({
      session: sessionId,
      scenario: this.scenario(row.scenario_id),
      profile: this.profile(row.profile_id),
      runId,
      arcSession: arcSessionId,
      idx,
    })
  }

  /** Profiles deduplicate by the hash of their body, recomputed here: the archive's own hash is not trusted. */
  private profile(arcId: number): number {
    let id = this.profileIds.get(arcId)
    if (id === undefined) {
      const p = this.db.prepare('SELECT name, arch, body FROM arc.profiles WHERE id = ?').get(arcId) as { name: string | null; arch: string; body: string }
      id = this.db
        .prepare('INSERT INTO main.profiles (hash, name, arch, body) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET hash = excluded.hash RETURNING id')
        .pluck()
        .get(sha256(p.body), p.name, p.arch, p.body) as number
      this.profileIds.set(arcId, id)
    }
    return id
  }

  private scenario(arcId: number): number {
    let id = this.scenarioIds.get(arcId)
    if (id === undefined) {
      const s = this.db.prepare('SELECT name, source FROM arc.scenarios WHERE id = ?').get(arcId) as { name: string; source: string }
      id = this.db
        .prepare('INSERT INTO main.scenarios (name, hash, source) VALUES (?, ?, ?) ON CONFLICT (hash, name) DO UPDATE SET name = excluded.name RETURNING id')
        .pluck()
        .get(s.name, sha256(s.source), s.source) as number
      this.scenarioIds.set(arcId, id)
    }
    return id
  }

  private archiveHas(table: string): boolean {
    return this.archive.db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(table) !== undefined
  }
}
