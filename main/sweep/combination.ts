/**
 * Runs one combination of a sweep and hands back what the main thread stores: the run already encoded,
 * packed and checksummed (main/store/prepared-run.ts) and its digests, so the main thread only writes.
 * The same function runs inside a pool worker (./worker.ts) and in-process for --jobs 1, so both paths
 * compute exactly the same thing.
 */
import type { Scenario } from '../formats/scenario'
import { builtinScenarioByText } from '../library/builtins'
import { runScenario } from '../sim/run'
import type { Profile } from '../formats/profile'
import { eventChunks, prepareHead, prepareTail, type PreparedRun, type PreparedRunHead } from '../store/prepared-run'
import { eventsDigest, resultDigest, type RunDigests } from '../store/sessions/digest'
import type { PendingWork } from '../store/sessions/session-store'

/** The store's chunk sizes: a run prepared off the main thread must be chunked as its store chunks. */
export interface Chunking {
  readonly chunkEvents: number
  readonly chunkRecords: number
}

export interface CombinationTask {
  readonly work: PendingWork
  readonly chunking: Chunking
  /**
   * The parsed scenario when its text is not a built-in's (the main thread parses a user's file once);
   * a built-in's text is looked up precompiled, so a worker never loads the YAML parser.
   */
  readonly scenario?: Scenario
}

export interface CombinationOutput {
  readonly idx: number
  /** Events in the run (for progress and benches; the run itself is in `prepared`). */
  readonly events: number
  readonly prepared: PreparedRun
  readonly digests: RunDigests
}

/**
 * Per scenario text: the scenario and the run head (scenario and profile hashes, the canonical profile
 * JSON), so a sweep, which runs each scenario under every kernel and arch, looks it up and hashes it
 * once per thread.
 */
interface Inputs {
  readonly scenario: Scenario
  readonly profile: Profile
  head?: PreparedRunHead
}
const inputs = new Map<string, Inputs>()

function scenarioOf(task: CombinationTask): Scenario {
  const scenario = task.scenario ?? builtinScenarioByText(task.work.scenarioText)
  if (!scenario) throw new Error(`scenario '${task.work.scenarioName}' is not a built-in; its parsed document must come with the task`)
  return scenario
}

function inputsOf(task: CombinationTask): Inputs {
  const { work } = task
  let found = inputs.get(work.scenarioText)
  if (!found || found.profile !== work.profile) {
    found = { scenario: found?.scenario ?? scenarioOf(task), profile: work.profile }
    if (inputs.size > 256) inputs.clear()
    inputs.set(work.scenarioText, found)
  }
  return found
}

/**
 * `packEventsNow` packs every event chunk before returning (a worker posts them back); in-process the
 * writer packs each chunk as it inserts it.
 */
export function runCombination(task: CombinationTask, packEventsNow: boolean): CombinationOutput {
  const { work, chunking } = task
  const input = inputsOf(task)
  const { result, trace } = runScenario(input.scenario, work.profile, { kernel: work.kernel, arch: work.arch, variant: work.variant })
  const log = trace.events
  const columns = log.columns()
  const tasks = [...log.tasks]
  const causes = [...log.causes]
  const digests = { result: resultDigest(result), events: eventsDigest(columns, tasks, causes) }
  // What prepareRun computes, with the head hashed once per scenario rather than once per run.
  if (input.head?.scenario !== result.scenario) input.head = prepareHead({ scenario: result.scenario, scenarioText: work.scenarioText, profile: work.profile })
  const tail = prepareTail(result, columns.count, tasks, causes, chunking.chunkRecords)
  const events = eventChunks(columns, chunking.chunkEvents)
  const prepared: PreparedRun = { ...input.head, ...tail, events: packEventsNow ? [...events] : events }
  return { idx: work.idx, events: result.events, prepared, digests }
}
