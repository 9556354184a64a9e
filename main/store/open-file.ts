/**
 * How TraceStore.open gets a connection: what the file is (checked before SQLite touches it),
 * whether it may be written, and, for a new or old file, creating or upgrading the schema in one
 * IMMEDIATE transaction so that processes opening the same new file at once serialise on the write
 * lock instead of seeing each other's half-made file (docs/store.md#opening).
 */
import Database from 'better-sqlite3'
import { accessSync, closeSync, constants, openSync, readFileSync, readSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { nativeBindingPath } from './native-binding'
import { makeFolders } from './paths'
import { APPLICATION_ID, SCHEMA_VERSION, identify, migrateLocked } from './schema'
import { StoreError, damagedError, isCorruption, message } from './store-error'

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1')
/**
 * How long a statement waits for another process's lock before failing with "database is locked".
 * Creating a new store or migrating an old one holds the lock for milliseconds; saving a big run for
 * a few seconds at most.
 */
export const BUSY_TIMEOUT_MS = 15_000
/**
 * The page size of a store this code creates; the bench's raw SQLite uses it too. 32 KiB: a 170 KiB
 * event chunk spans 6 overflow pages instead of 21 at 8 KiB (stores made before keep 8 KiB). Saving
 * the bench's 27 MB run and closing the store went from ~200 to ~165 ms, at 4% more file size; an
 * empty store is 1.1 MB instead of 0.3 MB. 64 KiB was no faster and 15% larger (docs/store.md#connection-settings).
 */
export const STORE_PAGE_SIZE = 32768
/** The largest read-only store read into memory to leave nothing behind (docs/store.md#read-only-stores). */
const IN_MEMORY_MAX = 1 << 30

export interface Connection {
  readonly db: Database.Database
  /** Why this connection must not write (the store is read-only), or undefined when it may. */
  readonly readOnly?: string
}

/**
 * Opens `path` (absolute). Refuses, without writing to it, a file that is not a daxlab store or has
 * a newer schema. A file that may not be written is opened read-only without leaving anything behind.
 */
export function openConnection(path: string): Connection {
  const exists = checkHeader(path)
  if (!exists) {
    try {
      makeFolders(dirname(path))
    } catch (e) {
      throw new StoreError(path, 'unreadable', `cannot create its folder: ${message(e)}`)
    }
  }
  const readOnly = exists ? readOnlyReason(path) : folderReadOnly(dirname(path))
  if (readOnly && !exists) throw new StoreError(path, 'read-only', readOnly, `store is read-only: ${path} (${readOnly}); cannot create it there`)
  if (readOnly) return { db: openReadOnly(path, readOnly), readOnly }
  const db = sqlite(path, { fileMustExist: exists })
  try {
    // A read first (a refused file gets no write lock and no write at all), in one read transaction:
    // header pragmas and the table list read separately could straddle another process's commit and
    // show its tables without its marker.
    const identity = db.transaction(() => identifyOrThrow(db, path))()
    if (identity.kind === 'empty' || identity.version < SCHEMA_VERSION) {
      // The page size (used when this connection creates the file; a no-op on an existing one, which
      // keeps the size it was made with). It must precede the first write, so it cannot wait for the
      // transaction below.
      if (identity.kind === 'empty') db.pragma(`page_size = ${STORE_PAGE_SIZE}`)
      db.transaction(() => {
        // Identified again under the write lock: another process may have created or upgraded the
        // file since the read above, and then there is nothing left to do.
        identifyOrThrow(db, path)
        migrateLocked(db)
      }).immediate()
    }
    // After the schema commit: switching to WAL cannot happen inside a transaction. Persistent, so
    // only the first opener of a file changes it; the others read 'wal' back. The switch needs an
    // exclusive lock and SQLite fails it at once (no busy handler) while another process reads, which
    // openers of a new file all do at the same moment: so it is retried until the busy timeout.
    retryWhileBusy(() => {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL')
    })
    // NORMAL in WAL mode: a commit survives an application crash; a power loss may drop the last
    // commits but never corrupts the file. Runs can be re-run, so that is the right trade for speed.
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    return { db }
  } catch (e) {
    db.close()
    throw openFailure(path, e)
  }
}

/** Why opening failed, as a StoreError: damage SQLite reports (a daxlab file, identified) is `damaged`. */
export function openFailure(path: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e
  if (isCorruption(e)) return damagedError(path, `SQLite cannot read its schema (${message(e)})`)
  return new StoreError(path, 'unreadable', `cannot open the trace store: ${message(e)}`)
}

function retryWhileBusy(fn: () => void): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS
  const sleeper = new Int32Array(new SharedArrayBuffer(4))
  for (;;) {
    try {
      return fn()
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw e
      Atomics.wait(sleeper, 0, 0, 2 + Math.random() * 10) // a synchronous sleep, jittered so openers spread out
    }
  }
}

function sqlite(path: string | Buffer, options: Database.Options, shownPath = String(path)): Database.Database {
  try {
    const nativeBinding = nativeBindingPath()
    return new Database(path, { ...options, timeout: BUSY_TIMEOUT_MS, ...(nativeBinding ? { nativeBinding } : {}) })
  } catch (e) {
    throw new StoreError(shownPath, 'unreadable', `cannot open: ${message(e)}`)
  }
}

/**
 * Why a file that exists must be opened read-only, if it must. Write permission bits are honoured even
 * where the process could write anyway (root): a user who made the store mode 444 asked for that.
 */
export function readOnlyReason(path: string): string | undefined {
  if (!writable(path) || (statSync(path).mode & 0o222) === 0) return 'the file is not writable'
  // WAL mode creates PATH-wal and PATH-shm next to the file.
  return folderReadOnly(dirname(path))
}

function folderReadOnly(dir: string): string | undefined {
  if (!writable(dir) || (statSync(dir).mode & 0o222) === 0) return `its folder ${dir} is not writable`
  return undefined
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK)
    return true
  } catch {
    return false
  }
}

/**
 * A read-only store, read without creating anything next to it. SQLite would create -wal and -shm
 * files for a WAL-mode database even on a read-only connection (and cannot remove them after), so the
 * file is read into memory instead, its header switched from WAL to rollback mode in the copy only.
 * A store that was not closed cleanly keeps its last commits in PATH-wal; only then does SQLite open
 * the file itself (read-only), since those commits must be read from the log.
 * An older schema is upgraded in the in-memory copy, never on disk.
 */
function openReadOnly(path: string, why: string): Database.Database {
  let db: Database.Database
  // Above IN_MEMORY_MAX the copy would cost too much memory (and Node cannot read files over 2 GiB in
  // one go): SQLite reads the file itself, which may leave -shm/-wal files where the folder allows.
  if (nonEmpty(path + '-wal') || statSync(path).size > IN_MEMORY_MAX) db = sqlite(path, { readonly: true, fileMustExist: true })
  else {
    let image: Buffer
    try {
      image = readFileSync(path)
    } catch (e) {
      throw new StoreError(path, 'unreadable', `cannot read it: ${message(e)}`)
    }
    // Header bytes 18 and 19 (file format write/read version): 2 is WAL, 1 rollback journal.
    if (image.length >= 20 && image[18] === 2 && image[19] === 2) image[18] = image[19] = 1
    db = sqlite(image, {}, path)
  }
  try {
    const identity = identifyOrThrow(db, path)
    if (identity.kind === 'empty') throw new StoreError(path, 'read-only', why, `store is read-only: ${path} (${why}) and holds no trace store yet`)
    if (identity.version < SCHEMA_VERSION) {
      if (db.readonly) {
        throw new StoreError(path, 'read-only', why, `store is read-only: ${path} (${why}) and at schema version ${identity.version}; open it once with write access to upgrade it`)
      }
      db.transaction(() => migrateLocked(db)).immediate()
    }
    db.pragma('foreign_keys = ON')
    return db
  } catch (e) {
    db.close()
    throw openFailure(path, e)
  }
}

function nonEmpty(path: string): boolean {
  try {
    return statSync(path).size > 0
  } catch {
    return false
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

function headerSaysDaxlab(db: Database.Database): boolean {
  try {
    return db.pragma('application_id', { simple: true }) === APPLICATION_ID
  } catch {
    return false
  }
}

type Identity = { readonly kind: 'empty' } | { readonly kind: 'daxlab'; readonly version: number }

function identifyOrThrow(db: Database.Database, path: string): Identity {
  let identity
  try {
    identity = identify(db)
  } catch (e) {
    if (e instanceof StoreError) throw e
    if (!isCorruption(e)) throw new StoreError(path, 'unreadable', `cannot read it: ${message(e)}`)
    // The header (read without the schema) may still say whose file it is.
    if (headerSaysDaxlab(db)) throw damagedError(path, `SQLite cannot read its schema (${message(e)})`)
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
  return identity
}
