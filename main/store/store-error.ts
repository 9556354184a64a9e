/** The store's one error type: every message names the file and says why. */
export type StoreErrorCode = 'not-daxlab' | 'too-new' | 'unreadable' | 'read-only' | 'damaged'

export class StoreError extends Error {
  constructor(
    readonly file: string,
    readonly code: StoreErrorCode,
    reason: string,
    /** The whole message, when it does not read well as `file: reason`. */
    message = `${file}: ${reason}`,
  ) {
    super(message)
    this.name = 'StoreError'
  }
}

/** A write refused because the store is opened read-only (the file or its folder is not writable). */
export function readOnlyError(file: string, why: string): StoreError {
  return new StoreError(file, 'read-only', why, `store is read-only: ${file} (${why}); nothing was written`)
}

/** The store failed a check: it is opened read-only from then on and never written to. */
export function damagedError(file: string, what: string): StoreError {
  return new StoreError(file, 'damaged', what, `store is damaged: ${file}: ${what}. It is opened read-only and will not be written to; \`daxlab store check --db ${file}\` reports everything found`)
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** SQLite's codes for a damaged file (better-sqlite3 SqliteError.code). */
export function isCorruption(e: unknown): boolean {
  const code = (e as { code?: unknown }).code
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT_'))
}
