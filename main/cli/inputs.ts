/**
 * Where CLI arguments point: a built-in scenario/profile name or a file path; the database path.
 * Node layer (reads files).
 */
import { existsSync, readFileSync } from 'node:fs'
import { FormatError } from '../formats/errors'
import { parseProfileText, parseScenarioText } from '../formats/load'
import type { Profile } from '../formats/profile'
import type { Scenario } from '../formats/scenario'
import { builtinProfile, builtinProfileNames, builtinScenarioNames, builtinScenarioText, resolveProfile } from '../library/index'
import { defaultDbPath } from '../store/paths'
import { TraceStore } from '../store/trace-store'

export interface LoadedScenario {
  readonly scenario: Scenario
  readonly text: string
  readonly file: string
}

function looksLikePath(arg: string): boolean {
  return arg.includes('/') || /\.(ya?ml|json)$/.test(arg)
}

export function readText(path: string): string {
  if (!existsSync(path)) throw new FormatError(path, [{ path: '', reason: 'no such file' }])
  return readFileSync(path, 'utf8')
}

export function loadScenario(arg: string): LoadedScenario {
  if (!looksLikePath(arg)) {
    const builtin = builtinScenarioText(arg)
    if (!builtin) {
      throw new FormatError(arg, [{ path: '', reason: `no built-in scenario of that name and no such file (built-ins: ${builtinScenarioNames().join(', ')})` }])
    }
    return { scenario: parseScenarioText(builtin.text, builtin.file), text: builtin.text, file: builtin.file }
  }
  const text = readText(arg)
  return { scenario: parseScenarioText(text, arg), text, file: arg }
}

export function loadProfile(arg: string): Profile {
  if (!looksLikePath(arg)) {
    const builtin = builtinProfile(arg)
    if (!builtin) throw new FormatError(arg, [{ path: '', reason: `no built-in profile of that name and no such file (built-ins: ${builtinProfileNames().join(', ')})` }])
    return builtin
  }
  return parseProfileText(readText(arg), arg)
}

/** The profile a run uses: --profile wins over the scenario's own. */
export function profileFor(loaded: LoadedScenario, override?: string): Profile {
  return override ? loadProfile(override) : resolveProfile(loaded.scenario, loaded.file)
}

export function dbPathFrom(option: string | undefined): string {
  return option ?? defaultDbPath()
}

/** Opens the trace store (--db, else the default), runs fn, and always closes it. */
export function withStore<T>(db: string | undefined, fn: (store: TraceStore) => T): T {
  const store = TraceStore.open(dbPathFrom(db))
  try {
    return fn(store)
  } finally {
    store.close()
  }
}
