/**
 * Where CLI arguments point: a built-in scenario/profile name or a file path; the database path.
 * Node layer (reads files).
 */
import { existsSync, readFileSync, statSync, type Stats } from 'node:fs'
import { FormatError } from '../formats/errors'
import { MAX_INPUT_BYTES } from '../formats/limits'
import { parseProfileText, parseScenarioText, parseUserDocument, type UserDocument } from '../formats/load'
import type { Profile } from '../formats/profile'
import { builtinProfile, builtinProfileNames, builtinScenarioNames, resolveProfile } from '../library/index'
import { defaultDbPath } from '../store/paths'
import { TraceStore } from '../store/trace-store'
import { UserLibrary } from '../store/user-library'
import { builtinProfileFor, builtinScenarioArg, looksLikePath, type LoadedScenario } from './builtin-inputs'

export type { LoadedScenario } from './builtin-inputs'

/** The reason a file cannot be read, in words (the path is named by the FormatError around it). */
function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory, not a file'
  if (code === 'ENOTDIR') return 'a part of the path is not a directory'
  if (code === 'ELOOP') return 'too many symbolic links'
  return (err as Error).message
}

/** Reads a user file: refuses directories, devices and files over MAX_INPUT_BYTES before reading them. */
export function readText(path: string): string {
  let st: Stats
  try {
    st = statSync(path)
  } catch (err) {
    throw new FormatError(path, [{ path: '', reason: fsReason(err) }])
  }
  if (st.isDirectory()) throw new FormatError(path, [{ path: '', reason: 'is a directory, not a file' }])
  if (!st.isFile()) throw new FormatError(path, [{ path: '', reason: 'is not a regular file' }])
  if (st.size > MAX_INPUT_BYTES) {
    throw new FormatError(path, [{ path: '', reason: `the file is ${(st.size / 2 ** 20).toFixed(1)} MiB: at most ${MAX_INPUT_BYTES / 2 ** 20} MiB` }])
  }
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new FormatError(path, [{ path: '', reason: fsReason(err) }])
  }
}

/**
 * The user library (profiles and scenarios saved from the app or `profiles import`) of the store at
 * --db, else the default; read only when a name is not a built-in. A store that does not exist yet has
 * none, and is not created just to look.
 */
export function fromUserLibrary<T>(db: string | undefined, read: (library: UserLibrary) => T): T | undefined {
  if (!existsSync(dbPathFrom(db))) return undefined
  return withStore(db, (store) => read(new UserLibrary(store)))
}

export function loadScenario(arg: string, db?: string): LoadedScenario {
  if (!looksLikePath(arg)) {
    const builtin = builtinScenarioArg(arg)
    if (builtin) return builtin
    const text = fromUserLibrary(db, (library) => library.scenarioText(arg))
    if (text !== undefined) return { scenario: parseScenarioText(text, `user scenario ${arg}`), text, file: `user scenario ${arg}` }
    throw new FormatError(arg, [{ path: '', reason: `no built-in scenario of that name, no saved scenario and no such file (built-ins: ${builtinScenarioNames().join(', ')})` }])
  }
  const text = readText(arg)
  return { scenario: parseScenarioText(text, arg), text, file: arg }
}

export function loadProfile(arg: string, db?: string): Profile {
  if (!looksLikePath(arg)) {
    const builtin = builtinProfile(arg) ?? fromUserLibrary(db, (library) => library.profile(arg))
    if (!builtin) {
      throw new FormatError(arg, [{ path: '', reason: `no built-in profile of that name, no saved profile and no such file (built-ins: ${builtinProfileNames().join(', ')}; saved: daxlab profiles list)` }])
    }
    return builtin
  }
  return parseProfileText(readText(arg), arg)
}

/** A file for `profiles validate`: a scenario (it has steps) or a profile. */
export function loadValidatable(path: string): UserDocument {
  return parseUserDocument(readText(path), path)
}

/** The profile a run uses: --profile wins over the scenario's own; either may name a saved user profile. */
export function profileFor(loaded: LoadedScenario, override?: string, db?: string): Profile {
  const builtin = builtinProfileFor(loaded, override)
  if (builtin) return builtin
  if (override) return loadProfile(override, db)
  // Not built in (builtinProfileFor answered those): a saved profile, else resolveProfile's error.
  const named = loaded.scenario.profile
  const saved = typeof named === 'string' ? fromUserLibrary(db, (library) => library.profile(named)) : undefined
  return saved ?? resolveProfile(loaded.scenario, loaded.file)
}

export function dbPathFrom(option: string | undefined): string {
  return option ?? defaultDbPath()
}

/** Opens the trace store (--db, else the default), runs fn, and always closes it. */
/** withStore for work that awaits (the store stays open until the promise settles). */
export async function withStoreAsync<T>(db: string | undefined, fn: (store: TraceStore) => Promise<T>): Promise<T> {
  const store = TraceStore.open(dbPathFrom(db))
  try {
    return await fn(store)
  } finally {
    store.close()
  }
}

export function withStore<T>(db: string | undefined, fn: (store: TraceStore) => T): T {
  const store = TraceStore.open(dbPathFrom(db))
  try {
    return fn(store)
  } finally {
    store.close()
  }
}
