/**
 * A scenario and its run options as a request names them (runScenario, exploreScenario): the scenario
 * (built in, saved, or given as text), its profile, and the kernel, arch, variant, patch edits and
 * replayed schedule checked before anything runs, each bad one an invalid request naming its field.
 */
import { ArchError, resolveVariant } from '../../arch/entry'
import { getArch } from '../../arch/index'
import { LabError } from '../contract/envelope'
import { ScheduleError } from '../explore/concurrent-run'
import { FormatError } from '../formats/errors'
import { parseScenarioText } from '../formats/load'
import type { Profile } from '../formats/profile'
import type { Scenario } from '../formats/scenario'
import { scenarioFromText } from '../library/index'
import { KernelVersionError, kernelModel, resolveKernel } from '../sim/kernel-model'
import { PatchSetError } from '../sim/patches'
import type { ProfileLibrary } from './profiles'

/** What a request says about the scenario to run: a name, or its text in `source`. */
export interface ScenarioRequest {
  readonly scenario: string
  readonly source?: string
}

/** The run options a request may give. */
export interface RunOptionsRequest {
  readonly kernel: string
  readonly arch?: string
  readonly variant?: string
  readonly patches?: string
}

/**
 * Runs `check`; an error that says the caller's input is wrong (a bad document, kernel, arch, variant
 * or patch set) becomes an invalid request naming `field`, so the UI can mark it and the web bridge
 * answers 400 rather than 500. Anything else is rethrown as it is.
 */
export function asField<T>(field: string, check: () => T): T {
  try {
    return check()
  } catch (err) {
    // A FormatError lists every issue, one per line; the first names the field inside the document.
    if (err instanceof FormatError) throw new LabError({ code: 'invalid_request', field, message: err.message.split('\n')[0]! })
    if (err instanceof KernelVersionError || err instanceof ArchError || err instanceof PatchSetError) throw new LabError({ code: 'invalid_request', field, message: err.message })
    throw err
  }
}

/** The profile a scenario names (a built-in or a user profile) or carries inline. */
function scenarioProfile(library: ProfileLibrary, scenario: Scenario, file: string): Profile {
  if (typeof scenario.profile !== 'string') return scenario.profile
  const profile = library.profile(scenario.profile)
  if (!profile) throw new FormatError(file, [{ path: 'profile', reason: `no built-in profile '${scenario.profile}' and no saved one (one of: ${library.profileNames().join(', ')})` }])
  return profile
}

export function loadScenario(library: ProfileLibrary, request: ScenarioRequest): { scenario: Scenario; text: string; profile: () => Profile } {
  const { source } = request
  if (source !== undefined) {
    const scenario = asField('source', () => parseScenarioText(source, 'source'))
    return { scenario, text: source, profile: () => asField('source', () => scenarioProfile(library, scenario, 'source')) }
  }
  // A built-in, else a user scenario saved in the store.
  const found = library.scenarioText(request.scenario)
  if (!found) throw new LabError({ code: 'not_found', field: 'scenario', message: `no scenario '${request.scenario}' (built-in or saved)` })
  const scenario = scenarioFromText(found.text, found.file)
  return { scenario, text: found.text, profile: () => asField('scenario', () => scenarioProfile(library, scenario, found.file)) }
}

/** The profile the caller picked in place of the scenario's own: a built-in or a user profile. */
export function overrideProfile(library: ProfileLibrary, name: string): Profile {
  const profile = library.profile(name)
  if (!profile) throw new LabError({ code: 'not_found', field: 'profile', message: `no built-in profile '${name}' and no saved one (one of: ${library.profileNames().join(', ')})` })
  return profile
}

/** The kernel, arch, variant and patch edits the caller typed, checked before the run so a bad one names its field. */
export function checkRunOptions(request: RunOptionsRequest, profile: Profile): void {
  asField('kernel', () => resolveKernel(request.kernel))
  const plugin = asField('arch', () => getArch(request.arch ?? profile.arch))
  if (request.variant !== undefined) asField('variant', () => resolveVariant(plugin, request.variant))
  // The same check as `--patches` (main/cli/patch-edits.ts): the edits must apply to this release.
  if (request.patches !== undefined) asField('patches', () => kernelModel(request.kernel, request.patches))
}

/**
 * A replayed schedule (`daxlab run --schedule`'s choices) fits only a scenario with a `concurrent:`
 * block; each choice must name one of its tasks. Whether a task can run at its point is known only
 * while replaying: replayErrors names that choice.
 */
export function checkSchedule(scenario: Scenario, schedule: readonly string[] | undefined): void {
  if (schedule === undefined) return
  const tasks = scenario.concurrent?.map((t) => t.task) ?? []
  if (tasks.length === 0) throw new LabError({ code: 'invalid_request', field: 'schedule', message: `scenario '${scenario.name}' has no concurrent: block, so there is no schedule to replay` })
  schedule.forEach((choice, i) => {
    if (!tasks.includes(choice)) throw new LabError({ code: 'invalid_request', field: `schedule[${i}]`, message: `'${choice}' is not a concurrent task of scenario '${scenario.name}' (${tasks.join(', ')})` })
  })
}

/** A replayed choice that does not fit (ScheduleError `choices[7]`) as an invalid request naming `schedule[7]`. */
export function replayError(err: unknown): LabError | undefined {
  if (!(err instanceof ScheduleError)) return undefined
  const field = err.path.replace(/^choices/, 'schedule')
  return new LabError({ code: 'invalid_request', field, message: `${field}: ${err.reason}` })
}
