/** Runs of built-in scenarios wrapped as DiffRun / ExportRun, straight from the engine (no store). */
import { regionSpans } from '../../main/diff/regions'
import type { DiffRun } from '../../main/diff/types'
import type { ExportRun } from '../../main/export/source'
import type { Profile } from '../../main/formats/profile'
import { builtinScenario, resolveProfile } from '../../main/library/index'
import { runScenario } from '../../main/sim/run'
import { canonicalJson, sha256 } from '../../main/store/result-codec'
import { eventsDigest, resultDigest } from '../../main/store/sessions/digest'

export interface Loads {
  results: number
  events: number
}

export function engineRun(scenarioName: string, kernel: string, arch?: string, profileOverride?: Profile, runId = 1) {
  const scenario = builtinScenario(scenarioName)!
  const profile = profileOverride ?? resolveProfile(scenario, scenarioName)
  const { result, trace } = runScenario(scenario, profile, { kernel, arch })
  const log = trace.events
  const events = { cols: log.columns(), tasks: [...log.tasks], causes: [...log.causes] }
  const regions = regionSpans(profile, kernel, result.arch, result.variant)
  return { result, events, regions, profile, runId }
}

/** A DiffRun that counts how often its result and events are decoded. */
export function diffRun(r: ReturnType<typeof engineRun>, loads: Loads): DiffRun {
  return {
    key: { scenario: r.result.scenario, kernel: r.result.kernel, arch: r.result.arch, variant: r.result.variant, profile: r.result.profile, profileHash: sha256(canonicalJson(r.profile)) },
    label: `run ${r.runId}`,
    digests: { result: resultDigest(r.result), events: eventsDigest(r.events.cols, r.events.tasks, r.events.causes) },
    result: () => (loads.results++, r.result),
    events: () => (loads.events++, r.events),
    regions: () => r.regions,
  }
}

export function exportRun(r: ReturnType<typeof engineRun>): ExportRun {
  return { label: `run ${r.runId}`, runId: r.runId, session: 's', result: r.result, events: r.events, regions: r.regions }
}
