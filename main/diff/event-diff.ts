/**
 * The first trace event where two logs differ, compared as the user reads them: kind, step, task,
 * page (region+offset, not pfn), before/after, entry and cause text. Catches what the per-folio
 * states do not (a wait, a wake, a changed cause).
 */
import { EVENT_KIND_NAMES, LEVEL_NAMES } from '../sim/events'
import { eventPlace } from './regions'
import type { RegionSpan, RunEvents } from './types'

export interface EventDifference {
  readonly seq: number
  readonly step: number
  readonly fields: Record<string, [string, string]>
}

function fieldsAt(ev: RunEvents, spans: readonly RegionSpan[], i: number): Record<string, string> | undefined {
  const c = ev.cols
  if (i >= c.count) return undefined
  const place = eventPlace(c.kind[i]!, c.pfn[i]!, spans)
  const kind = EVENT_KIND_NAMES[c.kind[i]!] ?? String(c.kind[i])
  return {
    kind,
    step: String(c.step[i]),
    task: ev.tasks[c.task[i]!] ?? '?',
    page: place.offset ? `${place.region}+${place.offset}` : place.region,
    level: LEVEL_NAMES[c.level[i]!] ?? '?',
    before: String(c.before[i]),
    after: String(c.after[i]),
    entry: kind === 'entry_set' || kind === 'entry_clear' ? '0x' + c.entry[i]!.toString(16) : '',
    cause: ev.causes[c.cause[i]!] ?? '?',
  }
}

export function firstEventDifference(a: RunEvents, sa: readonly RegionSpan[], b: RunEvents, sb: readonly RegionSpan[]): EventDifference | null {
  const n = Math.max(a.cols.count, b.cols.count)
  for (let i = 0; i < n; i++) {
    const x = fieldsAt(a, sa, i)
    const y = fieldsAt(b, sb, i)
    const fields: Record<string, [string, string]> = {}
    for (const f of Object.keys(x ?? y!)) {
      const va = x?.[f] ?? '-'
      const vb = y?.[f] ?? '-'
      if (va !== vb) fields[f] = [va, vb]
    }
    if (Object.keys(fields).length > 0) return { seq: i, step: Math.min(Number(x?.step ?? Infinity), Number(y?.step ?? Infinity)), fields }
  }
  return null
}
