/** Human-readable renderings of runs and comparisons for the terminal. */
import type { Comparison } from '../sim/compare'
import type { RunResult, StepResult } from '../sim/result'
import { firstRows, moreLine, type RowLimit } from './page'
import { table } from './table'

function outcome(step: StepResult): string {
  let text = step.status
  if (step.waited) text += step.status === 'blocked' ? '' : ' (waited)'
  if (step.error) text += ` ${step.error}`
  if (step.signal) text += ` ${step.signal}`
  return text
}

function detail(step: StepResult): string {
  if (step.probe) {
    const p = step.probe
    if (p.pfn === null) return `${p.label ? p.label + ': ' : ''}nothing at ${p.target}`
    return `${p.label ? p.label + ': ' : ''}pfn ${p.pfn} order ${p.order} ref ${p.refcount} map ${p.mapcount} pin ${p.pincount}${p.entry ? ` ${p.level} ${p.entry}` : ''}`
  }
  return step.message ?? ''
}

/** Pushes one line per item; a loop, since `push(...items)` overflows the stack on big runs. */
function pushLines<T>(parts: string[], items: readonly T[], line: (item: T) => string): void {
  for (const item of items) parts.push(line(item))
}

/** A violation: what was found, then (when recorded) the rule it breaks and the kernel consequence. */
function violationLines(v: RunResult['violations'][number], steps: readonly StepResult[]): string {
  const op = steps[v.step]?.op
  const head = `  step ${v.step}${op ? ` (${op})` : ''} ${v.kind}${v.pfn ? ` folio ${v.pfn}` : ''}: ${v.message}`
  return v.consequence ? `${head}\n    consequence: ${v.consequence}\n    rule: ${v.rule ?? v.kind}` : head
}

/** `switches: a, b (--patches +x)`: the patch switches the run ran with (docs/kernel-model.md). */
function switchesLine(result: RunResult): string {
  const on = result.patches!.on
  const edits = result.patches!.edits ? ` (--patches ${result.patches!.edits})` : ''
  return `switches: ${on.length ? on.join(', ') : 'none'}${edits}`
}

export function renderRun(result: RunResult, runId?: number, limit: RowLimit = {}): string {
  const head = `${result.scenario} on ${result.arch}/${result.variant}, kernel ${result.kernel} (${result.scheme})${runId !== undefined ? `, stored as run ${runId}` : ''}`
  const steps = firstRows(result.steps, limit)
  const parts = [head, '', table(['#', 'task', 'op', 'result', 'detail'], steps.shown.map((s) => [String(s.index), s.task, s.op, outcome(s), detail(s)])), ...moreLine(steps.more, 'steps')]
  if (result.violations.length > 0) {
    const violations = firstRows(result.violations, limit)
    parts.push('', 'violations:')
    pushLines(parts, violations.shown, (v) => violationLines(v, result.steps))
    parts.push(...moreLine(violations.more, 'violations'))
  } else parts.push('', 'violations: none')
  if (result.blocked.length > 0) {
    const blocked = firstRows(result.blocked, limit)
    parts.push('blocked at the end:')
    pushLines(parts, blocked.shown, (b) => `  ${b.task} in step ${b.step} (${b.op}): ${b.reason}`)
    parts.push(...moreLine(blocked.more, 'blocked tasks'))
  }
  if (result.patches) parts.push(switchesLine(result))
  return parts.join('\n')
}

export function renderComparison(cmp: Comparison, limit: RowLimit = {}): string {
  const names = cmp.runs.map((r) => (r.runId !== undefined ? `run ${r.runId} ` : '') + `${r.kernel} ${r.arch}`)
  const fields = ['status', 'waited', 'error', 'signal', 'refcount', 'mapcount', 'pincount', 'order', 'entry']
  const cell = (values: Record<string, string>, differs: string[]) =>
    fields
      .filter((f) => values[f] !== undefined && (f !== 'status' || values[f] !== 'ok' || differs.includes(f)))
      .map((f) => `${differs.includes(f) ? '*' : ''}${f === 'status' ? '' : f + '='}${values[f]}`)
      .join(' ')
  const steps = firstRows(cmp.steps, limit)
  const rows = steps.shown.map((s) => [s.differs.length ? '!' : '', String(s.index), s.task, s.op + (s.label ? ` ${s.label}` : ''), ...s.values.map((v) => cell(v, s.differs) || 'ok')])
  const switches = cmp.switches.summary ? [`switches differ: ${cmp.switches.summary}`] : []
  const parts = [`comparing ${cmp.runs[0]?.scenario}: ${names.join(' | ')}`, ...switches, '', table(['', '#', 'task', 'op', ...names], rows), ...moreLine(steps.more, 'steps')]
  parts.push('', cmp.firstDivergence ? `first divergence: ${cmp.firstDivergence.summary}` : 'no divergence: every step agrees')
  cmp.violations.forEach((list, i) => {
    parts.push(`violations in ${names[i]}: ${list.length === 0 ? 'none' : ''}`)
    const shown = firstRows(list, limit)
    pushLines(parts, shown.shown, (v) => `  step ${v.step} ${v.kind}: ${v.message}`)
    parts.push(...moreLine(shown.more, 'violations'))
  })
  cmp.blocked.forEach((list, i) => {
    if (list.length > 0) parts.push(`blocked at the end in ${names[i]}: ${list.map((b) => `${b.task} (step ${b.step})`).join(', ')}`)
  })
  return parts.join('\n')
}
