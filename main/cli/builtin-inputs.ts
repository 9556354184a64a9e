/**
 * CLI arguments that name a built-in scenario or profile, read from the precompiled library: nothing
 * here loads the YAML parser (yaml and zod cost ~150 ms of CPU to load), so `daxlab sweep` of built-ins
 * starts without it. ./inputs.ts answers everything else (files, saved entries, unknown names) and asks
 * here first, so a built-in reads the same through both.
 */
import type { Profile } from '../formats/profile'
import type { Scenario } from '../formats/scenario'
import { builtinProfile, builtinScenarioByText, builtinScenarioText, resolveProfile } from '../library/builtins'

export interface LoadedScenario {
  readonly scenario: Scenario
  readonly text: string
  readonly file: string
}

/** A path rather than a name: it has a slash or a scenario/profile file extension. */
export function looksLikePath(arg: string): boolean {
  return arg.includes('/') || /\.(ya?ml|json)$/.test(arg)
}

/** The built-in scenario `arg` names, precompiled; undefined for anything else. */
export function builtinScenarioArg(arg: string): LoadedScenario | undefined {
  const source = looksLikePath(arg) ? undefined : builtinScenarioText(arg)
  const scenario = source && builtinScenarioByText(source.text)
  return source && scenario ? { scenario, text: source.text, file: source.file } : undefined
}

/**
 * The profile a run of `loaded` uses when the answer is built in: --profile naming a built-in, or no
 * --profile and the scenario's own profile inline or built in. Undefined when it takes a file or the
 * user library (or is an unknown name): ./inputs.ts profileFor decides those.
 */
export function builtinProfileFor(loaded: LoadedScenario, override: string | undefined): Profile | undefined {
  if (override) return looksLikePath(override) ? undefined : builtinProfile(override)
  const named = loaded.scenario.profile
  if (typeof named === 'string' && !builtinProfile(named)) return undefined
  return resolveProfile(loaded.scenario, loaded.file)
}
