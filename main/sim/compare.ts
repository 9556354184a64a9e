/**
 * Step-by-step comparison of runs of the same scenario (different kernels, arches or stored runs):
 * which values differ at each step and where the runs first diverge. Pure; the CLI and the UI render it.
 */
import type { RunResult, StepResult } from './result'

/** The per-step values compared, flattened to strings so any two runs line up. */
export function stepValues(step: StepResult | undefined, violations?: string): Record<string, string> {
  if (!step) return { status: 'missing' }
  const v: Record<string, string> = { status: step.status }
  // Two runs of one scenario can agree on every value yet not on what the kernel got wrong at a step
  // (an explored schedule against the sequential one): the violation kinds raised there are a value too.
  if (violations) v.violations = violations
  if (step.waited) v.waited = 'yes'
  if (step.error) v.error = step.error
  if (step.signal) v.signal = step.signal
  if (step.probe) {
    const p = step.probe
    v.pfn = p.pfn ?? '-'
    v.order = String(p.order)
    v.refcount = String(p.refcount)
    v.mapcount = String(p.mapcount)
    v.pincount = String(p.pincount)
    v.entry = p.entry ?? '-'
  }
  return v
}

export interface StepComparison {
  readonly index: number
  readonly op: string
  readonly task: string
  readonly label?: string
  /** One value map per run, in the order the runs were given. */
  readonly values: Record<string, string>[]
  /** Field names whose values are not the same in every run. */
  readonly differs: string[]
}

export interface RunLabel {
  readonly kernel: string
  readonly arch: string
  readonly variant: string
  readonly scenario: string
  readonly runId?: number
}

/**
 * The switch sets of the runs compared, and the switches on in some runs but not in all: the first
 * thing to know when two runs differ. A run stored before switches were recorded has `null`.
 */
export interface SwitchComparison {
  readonly sets: (readonly string[] | null)[]
  readonly edits: (string | null)[]
  /** Switches on in at least one run and off in another (runs without a record are left out). */
  readonly differs: string[]
  /** One line naming each differing switch and the runs it is on in; null when the sets agree. */
  readonly summary: string | null
}

export function compareSwitches(results: readonly RunResult[], names: readonly string[] = results.map((r) => r.kernel)): SwitchComparison {
  const sets = results.map((r) => r.patches?.on ?? null)
  const edits = results.map((r) => r.patches?.edits ?? null)
  const known = sets.flatMap((s, i) => (s ? [[i, new Set(s)] as const] : []))
  const all = [...new Set(known.flatMap(([, s]) => [...s]))].sort()
  const differs = all.filter((name) => known.some(([, s]) => !s.has(name)))
  const lines = differs.map((name) => `${name} on in ${known.filter(([, s]) => s.has(name)).map(([i]) => names[i]).join(', ')}`)
  if (new Set(edits).size > 1) lines.push(`--patches ${edits.map((e) => e ?? '-').join(' vs ')}`)
  return { sets, edits, differs, summary: lines.length ? lines.join('; ') : null }
}

export interface Comparison {
  readonly runs: RunLabel[]
  /** Which switches differ between the runs (shown before the steps). */
  readonly switches: SwitchComparison
  readonly steps: StepComparison[]
  readonly firstDivergence: { readonly step: number; readonly op: string; readonly fields: string[]; readonly summary: string } | null
  readonly violations: { readonly kind: string; readonly step: number; readonly message: string }[][]
  readonly blocked: { readonly task: string; readonly step: number }[][]
}

/** Each step's violation kinds, sorted and comma-joined (one string per step that raised any). */
function violationKindsByStep(result: RunResult): Map<number, string> {
  const kinds = new Map<number, Set<string>>()
  for (const v of result.violations) {
    const set = kinds.get(v.step) ?? new Set<string>()
    set.add(v.kind)
    kinds.set(v.step, set)
  }
  return new Map([...kinds].map(([step, set]) => [step, [...set].sort().join(',')]))
}

/** The run cut to steps [offset, offset + limit), with its violations' step numbers rebased to the cut. */
export function sliceRun(result: RunResult, offset: number, limit: number): RunResult {
  const end = offset + limit
  return {
    ...result,
    steps: result.steps.slice(offset, end),
    violations: result.violations.filter((v) => v.step >= offset && v.step < end).map((v) => ({ ...v, step: v.step - offset })),
  }
}

export function compareRuns(results: readonly RunResult[], runIds?: readonly (number | undefined)[]): Comparison {
  const count = Math.max(...results.map((r) => r.steps.length))
  const kindsAt = results.map(violationKindsByStep)
  const steps: StepComparison[] = []
  for (let i = 0; i < count; i++) {
    const values = results.map((r, k) => stepValues(r.steps[i], kindsAt[k]!.get(i)))
    const fields = [...new Set(values.flatMap((v) => Object.keys(v)))]
    const differs = fields.filter((f) => new Set(values.map((v) => v[f] ?? '')).size > 1)
    const base = results.find((r) => r.steps[i])?.steps[i]
    steps.push({ index: i, op: base?.op ?? '?', task: base?.task ?? '?', ...(base?.probe?.label ? { label: base.probe.label } : {}), values, differs })
  }
  const first = steps.find((s) => s.differs.length > 0)
  const names = results.map((r, i) => (runIds?.[i] !== undefined ? `run ${runIds[i]} ` : '') + `${r.kernel} ${r.arch}`)
  return {
    runs: results.map((r, i) => ({ kernel: r.kernel, arch: r.arch, variant: r.variant, scenario: r.scenario, ...(runIds?.[i] !== undefined ? { runId: runIds[i] } : {}) })),
    switches: compareSwitches(results, names),
    steps,
    firstDivergence: first
      ? {
          step: first.index,
          op: first.op,
          fields: first.differs,
          summary: `step ${first.index} (${first.op}${first.label ? ' ' + first.label : ''}): ${first.differs
            .map((f) => `${f} ${first.values.map((v) => v[f] ?? '-').join(' vs ')}`)
            .join(', ')}`,
        }
      : null,
    violations: results.map((r) => r.violations.map((v) => ({ kind: v.kind, step: v.step, message: v.message }))),
    blocked: results.map((r) => r.blocked.map((b) => ({ task: b.task, step: b.step }))),
  }
}
