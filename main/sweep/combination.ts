/**
 * Runs one combination of a sweep and hands back what the main thread stores: the result, the event
 * columns and string tables, and the run's digests. The same function runs inside a pool worker
 * (./worker.ts) and in-process for --jobs 1, so both paths compute exactly the same thing.
 */
import { parseScenarioText } from '../formats/load'
import type { Scenario } from '../formats/scenario'
import type { EventColumns } from '../sim/events'
import type { RunResult } from '../sim/result'
import { runScenario } from '../sim/run'
import { Trace } from '../sim/trace'
import { eventsDigest, resultDigest, type RunDigests } from '../store/sessions/digest'
import type { PendingWork } from '../store/sessions/session-store'

export interface CombinationOutput {
  readonly idx: number
  readonly result: RunResult
  readonly columns: EventColumns
  readonly tasks: string[]
  readonly causes: string[]
  readonly digests: RunDigests
}

/**
 * Parsed scenarios by source text: a sweep runs each scenario under every kernel and arch, and parsing
 * the YAML cost more than running it (measured: ~70% of a library sweep's worker time).
 */
const parsed = new Map<string, Scenario>()

function scenarioOf(work: PendingWork): Scenario {
  let scenario = parsed.get(work.scenarioText)
  if (!scenario) {
    scenario = parseScenarioText(work.scenarioText, `${work.scenarioName}.yaml`)
    if (parsed.size > 256) parsed.clear()
    parsed.set(work.scenarioText, scenario)
  }
  return scenario
}

export function runCombination(work: PendingWork): CombinationOutput {
  const scenario = scenarioOf(work)
  const { result, trace } = runScenario(scenario, work.profile, { kernel: work.kernel, arch: work.arch, variant: work.variant })
  const log = trace.events
  // Copies (slice), not views of the log's oversized growth buffers: a worker posts these back.
  const v = log.columns()
  const columns: EventColumns = {
    count: v.count,
    step: v.step.slice(),
    task: v.task.slice(),
    kind: v.kind.slice(),
    level: v.level.slice(),
    pfn: v.pfn.slice(),
    before: v.before.slice(),
    after: v.after.slice(),
    entry: v.entry.slice(),
    cause: v.cause.slice(),
  }
  const tasks = [...log.tasks]
  const causes = [...log.causes]
  return { idx: work.idx, result, columns, tasks, causes, digests: { result: resultDigest(result), events: eventsDigest(columns, tasks, causes) } }
}

/**
 * Rebuilds a Trace from columns that crossed a thread boundary, through the log's public API only
 * (taskId/causeId/push), so saveRun receives exactly what the engine produced.
 */
export function traceFromColumns(out: CombinationOutput): Trace {
  const trace = new Trace()
  const log = trace.events
  const taskIds = out.tasks.map((t) => log.taskId(t))
  const causeIds = out.causes.map((c) => log.causeId(c))
  const c = out.columns
  for (let i = 0; i < c.count; i++) {
    log.push(c.step[i]!, taskIds[c.task[i]!]!, c.kind[i]! as never, c.level[i]!, c.pfn[i]!, c.before[i]!, c.after[i]!, causeIds[c.cause[i]!]!, c.entry[i]!)
  }
  trace.violations.push(...out.result.violations)
  return trace
}
