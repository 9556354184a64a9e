/** Explores a built-in scenario completely (asserting the search was not cut) for the race tests. */
import { expect } from 'vitest'
import { explore, type ExploreOptions, type ExploreResult } from '../../main/explore/search'
import { builtinScenario, resolveProfile } from '../../main/library/index'

export function exploreBuiltin(name: string, options: ExploreOptions): ExploreResult {
  const scenario = builtinScenario(name)!
  const r = explore(scenario, resolveProfile(scenario, name), options)
  expect(r.complete).toBe(true)
  return r
}

/** The violation kinds the search found a counterexample for, in the result's order. */
export const kinds = (r: ExploreResult) => r.counterexamples.map((c) => c.kind)
