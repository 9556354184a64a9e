/**
 * Runs one combination of a sweep and hands back what the main thread stores: the run already encoded,
 * packed and checksummed (main/store/prepared-run.ts) and its digests, so the main thread only writes.
 * The same function runs inside a pool worker (./worker.ts) and in-process for --jobs 1, so both paths
 * compute exactly the same thing.
 */
import type { Scenario } from '../formats/scenario'
import { scenarioFromText } from '../library/index'
import { runScenario } from '../sim/run'
import { prepareRun, type PreparedRun } from '../store/prepared-run'
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
}

export interface CombinationOutput {
  readonly idx: number
  /** Events in the run (for progress and benches; the run itself is in `prepared`). */
  readonly events: number
  readonly prepared: PreparedRun
  readonly digests: RunDigests
}

/**
 * Scenarios by source text: a sweep runs each scenario under every kernel and arch. A built-in's text
 * is its precompiled document (no YAML parse); any other text is parsed once per worker.
 */
const parsed = new Map<string, Scenario>()

function scenarioOf(work: PendingWork): Scenario {
  let scenario = parsed.get(work.scenarioText)
  if (!scenario) {
    scenario = scenarioFromText(work.scenarioText, `${work.scenarioName}.yaml`)
    if (parsed.size > 256) parsed.clear()
    parsed.set(work.scenarioText, scenario)
  }
  return scenario
}

/**
 * `packEventsNow` packs every event chunk before returning (a worker posts them back); in-process the
 * writer packs each chunk as it inserts it.
 */
export function runCombination(task: CombinationTask, packEventsNow: boolean): CombinationOutput {
  const { work, chunking } = task
  const { result, trace } = runScenario(scenarioOf(work), work.profile, { kernel: work.kernel, arch: work.arch, variant: work.variant })
  const log = trace.events
  const columns = log.columns()
  const tasks = [...log.tasks]
  const causes = [...log.causes]
  const digests = { result: resultDigest(result), events: eventsDigest(columns, tasks, causes) }
  const prepared = prepareRun({ result, columns, tasks, causes, scenarioText: work.scenarioText, profile: work.profile }, { ...chunking, packEventsNow })
  return { idx: work.idx, events: result.events, prepared, digests }
}
