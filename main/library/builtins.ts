/**
 * The built-in library's data: scenarios/*.yaml and scenarios/profiles/*.yaml, precompiled at build
 * time (main/library/compile.ts, served by scripts/builtin-library-plugin.ts) so the CLI bundle, the
 * sweep workers, the app and tests read the same files without parsing YAML at run time. This module
 * does not load the parser (yaml, zod): a sweep worker imports only this. Pure.
 */
import library from 'virtual:daxlab-builtin-library'
import { FormatError } from '../formats/errors'
import type { Profile } from '../formats/profile'
import type { Scenario } from '../formats/scenario'
import type { PrecompiledEntry } from './compile'

const byName = (entries: readonly PrecompiledEntry[]) => new Map(entries.map((e) => [e.name, e]))
const scenarios = byName(library.scenarios)
const profiles = byName(library.profiles)
/** Built-in scenarios by source text, built on first use (a sweep's frozen texts are looked up here). */
let scenariosByText: Map<string, PrecompiledEntry> | undefined

export function builtinScenarioNames(): string[] {
  return [...scenarios.keys()]
}

export function builtinProfileNames(): string[] {
  return [...profiles.keys()]
}

/** A fresh object per call, as a parse gives: callers may keep or change it. */
export function builtinScenario(name: string): Scenario | undefined {
  const entry = scenarios.get(name)
  return entry ? (JSON.parse(entry.json) as Scenario) : undefined
}

export function builtinScenarioText(name: string): { file: string; text: string } | undefined {
  const entry = scenarios.get(name)
  return entry ? { file: entry.file, text: entry.text } : undefined
}

export function builtinProfile(name: string): Profile | undefined {
  const entry = profiles.get(name)
  return entry ? (JSON.parse(entry.json) as Profile) : undefined
}

export function builtinProfileText(name: string): { file: string; text: string } | undefined {
  const entry = profiles.get(name)
  return entry ? { file: entry.file, text: entry.text } : undefined
}

/** The precompiled document of the built-in whose source is exactly `text` (a stored run or sweep item of a built-in). */
export function builtinScenarioByText(text: string): Scenario | undefined {
  scenariosByText ??= new Map(library.scenarios.map((e) => [e.text, e]))
  const entry = scenariosByText.get(text)
  return entry ? (JSON.parse(entry.json) as Scenario) : undefined
}

/** The profile a scenario names (a built-in) or carries inline. */
export function resolveProfile(scenario: Scenario, file: string): Profile {
  if (typeof scenario.profile !== 'string') return scenario.profile
  const profile = builtinProfile(scenario.profile)
  if (!profile) {
    throw new FormatError(file, [{ path: 'profile', reason: `no built-in profile '${scenario.profile}' (one of: ${builtinProfileNames().join(', ')})` }])
  }
  return profile
}
