/** The bench's own guard: its workloads must run clean, or the figures mean nothing. */
import type { RunOutput } from '../../main/sim/run'
import { stepSourceOf, type StepResult } from '../../main/sim/result'

export class InvalidWorkload extends Error {}

/** Throws InvalidWorkload naming every kind of problem the run reported. */
export function checkValid(name: string, output: RunOutput): void {
  const { result } = output
  const failed = failedSteps(output)
  if (result.violations.length === 0 && failed.length === 0 && result.blocked.length === 0) return
  const byKind: Record<string, number> = {}
  for (const v of result.violations) byKind[v.kind] = (byKind[v.kind] ?? 0) + 1
  const lines = [
    `bench workload ${name} is not valid kernel usage or the engine mis-modelled it:`,
    `  ${result.violations.length} violation(s) ${JSON.stringify(byKind)}, ${failed.length} failed step(s), ${result.blocked.length} blocked task(s)`,
    ...result.violations.slice(0, 3).map((v) => `  violation at step ${v.step}: ${v.kind}: ${v.message}`),
    ...failed.slice(0, 3).map((s) => `  step ${s.index} (${s.op}): ${s.status} ${s.error ?? s.signal ?? ''} ${s.message ?? ''}`),
  ]
  throw new InvalidWorkload(lines.join('\n'))
}

/** Steps read through the result's step source, a range at a time. */
const CHECK_RANGE = 4096

/**
 * The steps that failed or took a signal, read through the result's step source and not through
 * `steps`: reading `steps` turns an engine result's kept step results into objects for good
 * (main/sim/scheduler.ts), and the store figures would then time saving a result in a state no
 * `daxlab run` hands to its save (it never reads them first).
 */
function failedSteps(output: RunOutput): StepResult[] {
  const source = stepSourceOf(output.result)
  const failed: StepResult[] = []
  for (let first = 0; first < source.count; first += CHECK_RANGE) {
    for (const s of source.range(first, Math.min(CHECK_RANGE, source.count - first))) if (s.status !== 'ok' || s.signal !== undefined) failed.push(s)
  }
  return failed
}
