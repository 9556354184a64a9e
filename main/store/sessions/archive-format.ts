/**
 * The `.daxlab` session archive: an SQLite database in the store's own schema holding one session
 * (docs/sessions.md#archive, docs/adr/0008-sessions-and-archives.md). This file knows how to recognise
 * one and how to checksum its content; archive.ts writes and imports them.
 *
 * Identification, as for the store, lives in the header: application_id 'DXAR', user_version = the
 * store schema version the archive was written with. archive_meta holds the format, lab version,
 * schema version, session name and the SHA-256 over the content (contentChecksum below).
 */
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { nativeBindingPath } from '../native-binding'
import { APPLICATION_ID, SCHEMA_VERSION, userVersion } from '../schema'

/** 'DXAR' as a big-endian u32. */
export const ARCHIVE_APPLICATION_ID = 0x44584152
export const ARCHIVE_FORMAT = 'daxlab-archive/1'

/** Why an archive was refused; the CLI prints the message as one line. */
export type ArchiveErrorCode = 'unreadable' | 'foreign' | 'truncated' | 'damaged' | 'future-version' | 'checksum'

export class ArchiveError extends Error {
  constructor(
    readonly file: string,
    readonly code: ArchiveErrorCode,
    reason: string,
  ) {
    super(`${file}: ${reason}`)
    this.name = 'ArchiveError'
  }
}

/**
 * Tables an archive may hold, in checksum order, each with the columns that order its rows (its
 * primary key). An archive from an older schema lacks some: they are skipped, so its checksum still
 * verifies. Anything else in the file (a view, a trigger, another table) makes it foreign: nothing in
 * an archive is executed.
 */
export const ARCHIVE_TABLES: readonly (readonly [string, string])[] = [
  ['archive_meta', 'key'],
  ['sessions', 'id'],
  ['profiles', 'id'],
  ['scenarios', 'id'],
  ['session_items', 'session_id, idx'],
  ['runs', 'id'],
  ['run_steps', 'run_id, idx'],
  ['violations', 'id'],
  ['run_records', 'run_id, kind, chunk_no'],
  ['run_violation_kinds', 'run_id, kind'],
  ['run_strings', 'run_id, kind, idx'],
  ['event_chunks', 'run_id, chunk_no'],
  ['run_digests', 'run_id'],
  ['imported_archives', 'content_sha256'],
  // Schema 5: created with the schema in every archive but never filled (an archive carries a session's
  // runs, not the user's library).
  ['user_profiles', 'name'],
  ['user_scenarios', 'name'],
  // Schema 6: likewise created empty and never filled (an archive holds finished runs only).
  ['streamed_runs', 'run_id'],
]

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1')

/**
 * SHA-256 over every row of every archive table (archive_meta without its checksum row): table name,
 * column names sorted, then each row in primary-key order with each value type-tagged and
 * length-prefixed, so no two different contents serialise alike.
 */
export function contentChecksum(db: Database.Database, schema = 'main'): string {
  const hash = createHash('sha256').update(ARCHIVE_FORMAT + '\n')
  const present = new Set(db.prepare(`SELECT name FROM ${schema}.sqlite_schema WHERE type = 'table'`).pluck().all() as string[])
  for (const [table, order] of ARCHIVE_TABLES) {
    if (!present.has(table)) continue
    const columns = (db.prepare(`SELECT name FROM pragma_table_info(?, ?)`).pluck().all(table, schema) as string[]).sort()
    hash.update(`table ${table} ${columns.join(',')}\n`)
    const where = table === 'archive_meta' ? ` WHERE key != 'content_sha256'` : ''
    const rows = db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM ${schema}."${table}"${where} ORDER BY ${order}`).raw()
    for (const row of rows.iterate() as IterableIterator<unknown[]>) {
      for (const value of row) feed(hash, value)
      hash.update('\n')
    }
  }
  return hash.digest('hex')
}

function feed(hash: ReturnType<typeof createHash>, value: unknown): void {
  if (value === null) hash.update('n')
  else if (Buffer.isBuffer(value)) hash.update(`b${value.length}:`).update(value)
  else if (typeof value === 'string') hash.update(`s${Buffer.byteLength(value)}:`).update(value)
  else hash.update(`i${String(value)};`) // numbers and bigints
}

export interface OpenedArchive {
  readonly db: Database.Database
  readonly file: string
  readonly meta: Readonly<Record<string, string>>
  readonly checksum: string
  readonly schemaVersion: number
}

/**
 * Opens an archive read-only after checking everything that can be wrong with it, cheapest first.
 * Never writes to the file. Throws ArchiveError naming what is wrong.
 */
export function openArchive(file: string): OpenedArchive {
  const size = checkFile(file)
  let db: Database.Database
  try {
    const nativeBinding = nativeBindingPath()
    db = new Database(file, { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) })
  } catch (e) {
    throw new ArchiveError(file, 'unreadable', `cannot open it: ${(e as Error).message}`)
  }
  try {
    return inspect(db, file, size)
  } catch (e) {
    db.close()
    if (e instanceof ArchiveError) throw e
    throw new ArchiveError(file, 'damaged', `damaged: SQLite cannot read it (${(e as Error).message.replace(/\s*\n\s*/g, '; ')})`)
  }
}

/** Without SQLite: a regular, non-empty file with the SQLite header, as long as its header says. */
function checkFile(file: string): number {
  let size: number
  try {
    const st = statSync(file)
    if (!st.isFile()) throw new ArchiveError(file, 'foreign', 'not a daxlab archive: it is not a regular file')
    size = st.size
  } catch (e) {
    if (e instanceof ArchiveError) throw e
    throw new ArchiveError(file, 'unreadable', `cannot read it: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`)
  }
  if (size === 0) throw new ArchiveError(file, 'foreign', 'not a daxlab archive: the file is empty')
  const head = Buffer.alloc(100)
  const fd = openSync(file, 'r')
  let got: number
  try {
    got = readSync(fd, head, 0, head.length, 0)
  } finally {
    closeSync(fd)
  }
  if (got < SQLITE_MAGIC.length || !head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw new ArchiveError(file, 'foreign', 'not a daxlab archive: it is not an SQLite file')
  }
  if (got < 100) throw new ArchiveError(file, 'truncated', `truncated: ${size} bytes, shorter than the 100-byte SQLite header`)
  // Header: page size at 16 (1 means 65536), page count at 28, valid when "version-valid-for" (92)
  // equals the change counter (24). Every writer since SQLite 3.7.0 keeps it valid.
  const pageSize = head.readUInt16BE(16) === 1 ? 65536 : head.readUInt16BE(16)
  const pages = head.readUInt32BE(28)
  if (head.readUInt32BE(92) === head.readUInt32BE(24) && pages * pageSize > size) {
    throw new ArchiveError(file, 'truncated', `truncated: its header says ${pages * pageSize} bytes but the file has ${size}`)
  }
  return size
}

function inspect(db: Database.Database, file: string, _size: number): OpenedArchive {
  const appId = db.pragma('application_id', { simple: true }) as number
  if (appId === APPLICATION_ID) throw new ArchiveError(file, 'foreign', 'not a daxlab archive: it is a daxlab trace store (open it with --db)')
  if (appId !== ARCHIVE_APPLICATION_ID) {
    throw new ArchiveError(file, 'foreign', `not a daxlab archive: ${appId === 0 ? 'an SQLite database without the archive marker' : `an SQLite database of another application (application_id 0x${(appId >>> 0).toString(16)})`}`)
  }
  const version = userVersion(db)
  if (version > SCHEMA_VERSION) {
    throw new ArchiveError(file, 'future-version', `written with schema version ${version}, newer than this daxlab supports (${SCHEMA_VERSION}); upgrade daxlab to import it`)
  }
  if (version < 1) throw new ArchiveError(file, 'damaged', 'damaged: it has the archive marker but no schema version')
  const known = new Set(ARCHIVE_TABLES.map(([t]) => t))
  const objects = db.prepare(`SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'`).all() as { type: string; name: string }[]
  const odd = objects.filter((o) => (o.type === 'table' && !known.has(o.name)) || o.type === 'view' || o.type === 'trigger')
  if (odd.length > 0) throw new ArchiveError(file, 'foreign', `not a daxlab archive: it contains ${odd.map((o) => `${o.type} ${o.name}`).join(', ')}`)
  const check = db.pragma('quick_check', { simple: true }) as string
  if (check !== 'ok') throw new ArchiveError(file, 'damaged', `damaged: SQLite integrity check failed (${check.replace(/\*\*\* in database main \*\*\*\s*/, '').replace(/\s*\n\s*/g, '; ')})`)
  if (!objects.some((o) => o.name === 'archive_meta')) throw new ArchiveError(file, 'damaged', 'damaged: the archive_meta table is missing')
  const meta = Object.fromEntries((db.prepare('SELECT key, value FROM archive_meta').raw().all() as [string, string][]).map(([k, v]) => [k, String(v)]))
  if (meta.format !== ARCHIVE_FORMAT) throw new ArchiveError(file, 'foreign', `not a daxlab archive: format ${JSON.stringify(meta.format)} (this daxlab reads ${ARCHIVE_FORMAT})`)
  const checksum = contentChecksum(db)
  if (meta.content_sha256 !== checksum) {
    throw new ArchiveError(file, 'checksum', `checksum mismatch: the content hashes to ${checksum.slice(0, 16)}..., the archive records ${String(meta.content_sha256).slice(0, 16)}...; it was altered or damaged`)
  }
  const sessions = db.prepare('SELECT count(*) FROM sessions').pluck().get() as number
  if (sessions !== 1) throw new ArchiveError(file, 'damaged', `damaged: an archive holds one session, this one ${sessions}`)
  return { db, file, meta, checksum, schemaVersion: version }
}
