/**
 * The built-in library: scenarios/*.yaml and scenarios/profiles/*.yaml, embedded at build time so the
 * CLI bundle, the app and tests read the same files. Pure: the texts are strings; parsing validates.
 */
import { FormatError } from '../formats/errors'
import { parseProfileText, parseScenarioText } from '../formats/load'
import type { Profile } from '../formats/profile'
import type { Scenario } from '../formats/scenario'

const scenarioTexts = import.meta.glob<string>('../../scenarios/*.yaml', { eager: true, query: '?raw', import: 'default' })
const profileTexts = import.meta.glob<string>('../../scenarios/profiles/*.yaml', { eager: true, query: '?raw', import: 'default' })

function byName(texts: Record<string, string>): Map<string, { file: string; text: string }> {
  const out = new Map<string, { file: string; text: string }>()
  for (const [path, text] of Object.entries(texts)) {
    const name = /([^/]+)\.yaml$/.exec(path)![1]!
    out.set(name, { file: path.replace(/^(\.\.\/)+/, ''), text })
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)))
}

const scenarios = byName(scenarioTexts)
const profiles = byName(profileTexts)

export function builtinScenarioNames(): string[] {
  return [...scenarios.keys()]
}

export function builtinProfileNames(): string[] {
  return [...profiles.keys()]
}

export function builtinScenario(name: string): Scenario | undefined {
  const entry = scenarios.get(name)
  return entry ? parseScenarioText(entry.text, entry.file) : undefined
}

export function builtinScenarioText(name: string): { file: string; text: string } | undefined {
  return scenarios.get(name)
}

export function builtinProfile(name: string): Profile | undefined {
  const entry = profiles.get(name)
  return entry ? parseProfileText(entry.text, entry.file) : undefined
}

export function builtinProfileText(name: string): { file: string; text: string } | undefined {
  return profiles.get(name)
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
