/** The bench's own guard: its workloads must run clean, or the figures mean nothing. */
import type { RunOutput } from '../../main/sim/run'

export class InvalidWorkload extends Error {}

/** Throws InvalidWorkload naming every kind of problem the run reported. */
export function checkValid(name: string, output: RunOutput): void {
  const { result } = output
  const failed = result.steps.filter((s) => s.status !== 'ok' || s.signal !== undefined)
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
