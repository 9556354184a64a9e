/** Human-readable renderings of runs and comparisons for the terminal. */
import type { Comparison } from '../sim/compare'
import type { RunResult, StepResult } from '../sim/result'
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

export function renderRun(result: RunResult, runId?: number): string {
  const head = `${result.scenario} on ${result.arch}/${result.variant}, kernel ${result.kernel} (${result.scheme})${runId !== undefined ? `, stored as run ${runId}` : ''}`
  const steps = table(
    ['#', 'task', 'op', 'result', 'detail'],
    result.steps.map((s) => [String(s.index), s.task, s.op, outcome(s), detail(s)]),
  )
  const parts = [head, '', steps]
  if (result.violations.length > 0) {
    parts.push('', 'violations:', ...result.violations.map((v) => `  step ${v.step} ${v.kind}: ${v.message}`))
  } else parts.push('', 'violations: none')
  if (result.blocked.length > 0) parts.push('blocked at the end:', ...result.blocked.map((b) => `  ${b.task} in step ${b.step} (${b.op}): ${b.reason}`))
  return parts.join('\n')
}

export function renderComparison(cmp: Comparison): string {
  const names = cmp.runs.map((r) => (r.runId !== undefined ? `run ${r.runId} ` : '') + `${r.kernel} ${r.arch}`)
  const fields = ['status', 'waited', 'error', 'signal', 'refcount', 'mapcount', 'pincount', 'order', 'entry']
  const cell = (values: Record<string, string>, differs: string[]) =>
    fields
      .filter((f) => values[f] !== undefined && (f !== 'status' || values[f] !== 'ok' || differs.includes(f)))
      .map((f) => `${differs.includes(f) ? '*' : ''}${f === 'status' ? '' : f + '='}${values[f]}`)
      .join(' ')
  const rows = cmp.steps.map((s) => [s.differs.length ? '!' : '', String(s.index), s.task, s.op + (s.label ? ` ${s.label}` : ''), ...s.values.map((v) => cell(v, s.differs) || 'ok')])
  const parts = [`comparing ${cmp.runs[0]?.scenario}: ${names.join(' | ')}`, '', table(['', '#', 'task', 'op', ...names], rows)]
  parts.push('', cmp.firstDivergence ? `first divergence: ${cmp.firstDivergence.summary}` : 'no divergence: every step agrees')
  cmp.violations.forEach((list, i) => {
    parts.push(`violations in ${names[i]}: ${list.length === 0 ? 'none' : ''}`)
    for (const v of list) parts.push(`  step ${v.step} ${v.kind}: ${v.message}`)
  })
  cmp.blocked.forEach((list, i) => {
    if (list.length > 0) parts.push(`blocked at the end in ${names[i]}: ${list.map((b) => `${b.task} (step ${b.step})`).join(', ')}`)
  })
  return parts.join('\n')
}
