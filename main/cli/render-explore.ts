/** The text report of `daxlab explore` (the JSON is the ExploreResult itself). */
import type { ExploreResult } from '../explore/search'
import { escapeCell } from './terminal-text'

export function renderExplore(r: ExploreResult): string {
  const out: string[] = []
  out.push(`explore ${escapeCell(r.scenario)}  kernel ${r.kernel}  arch ${r.arch}/${r.variant}  tasks: ${r.tasks.map(escapeCell).join(', ')}`)
  out.push(r.complete ? 'search: complete (every schedule explored)' : `search: NOT complete — ${escapeCell(r.cut ?? 'cut')}`)
  const ratio = r.schedules_executed > 0 ? (r.schedules_total / r.schedules_executed).toFixed(1) : '-'
  out.push(
    `schedules: ${r.schedules_total} ${r.complete ? 'exist' : 'completed so far'}, ${r.schedules_executed} executed (${ratio}x fewer); states ${r.states}, merged ${r.pruned}; longest ${r.max_depth} atomic steps; ${(r.elapsed_ms / 1000).toFixed(1)} s`,
  )
  out.push('', 'outcomes:')
  for (const o of r.outcomes) {
    const folios = o.folios.map((f) => `${f.pfn} ref ${f.refcount} map ${f.mapcount} pin ${f.pincount}`).join('; ')
    const poison = o.poisoned.length > 0 ? `  hwpoison ${o.poisoned.join(', ')}` : ''
    out.push(`  ${String(o.count).padStart(8)}  violations: ${o.violations.join(', ') || '-'}  blocked: ${o.blocked.map(escapeCell).join(', ') || '-'}  ${folios}${poison}`)
  }
  if (r.counterexamples.length === 0) {
    out.push('', r.complete ? 'no violation in any schedule' : 'no violation found so far (the search was not complete: this is not a proof)')
    return out.join('\n')
  }
  out.push('', 'shortest schedule per violation kind:')
  for (const c of r.counterexamples) {
    out.push(`  ${c.kind}: ${c.length} atomic steps — ${escapeCell(c.message)}`)
    c.schedule.forEach((s, i) => {
      out.push(`    ${String(i + 1).padStart(3)} ${escapeCell(s.task).padEnd(10)} ${escapeCell(s.label).padEnd(58)} ${s.racing ? 'racing ' : '       '}${escapeCell(s.source)}`)
    })
  }
  return out.join('\n')
}
