/**
 * Per-folio divergence from two runs' event logs: each page (by region and offset) gets its
 * refcount/mapcount/pincount/entry state after every step that touched it, and the two sequences are
 * walked side by side to the first step where they disagree.
 */
import { EventKind, type EventColumns } from '../sim/events'
import type { FolioResult, RunResult } from '../sim/result'
import { placeOf } from './regions'
import type { FolioChange, RegionSpan, RunEvents } from './types'

const FIELDS = ['refcount', 'mapcount', 'pincount', 'entry'] as const
type Field = (typeof FIELDS)[number]
type State = Record<Field, string>

interface Timeline {
  steps: number[]
  states: State[]
}

/** State after each step that changed the page, keyed by `region+offset`. */
export function folioTimelines(ev: RunEvents, spans: readonly RegionSpan[]): Map<string, Timeline> {
  const out = new Map<string, Timeline>()
  const current = new Map<number, State>()
  const keyOf = new Map<number, string>()
  const c: EventColumns = ev.cols
  for (let i = 0; i < c.count; i++) {
    const kind = c.kind[i]!
    let field: Field
    if (kind === EventKind.REFCOUNT) field = 'refcount'
    else if (kind === EventKind.MAPCOUNT) field = 'mapcount'
    else if (kind === EventKind.PINCOUNT) field = 'pincount'
    else if (kind === EventKind.ENTRY_SET || kind === EventKind.ENTRY_CLEAR) field = 'entry'
    else continue
    const pfn = c.pfn[i]!
    let key = keyOf.get(pfn)
    if (key === undefined) {
      const place = placeOf(pfn, spans)
      key = `${place.region}+${place.offset}`
      keyOf.set(pfn, key)
    }
    let state = current.get(pfn)
    if (!state) {
      state = { refcount: '-', mapcount: '-', pincount: '-', entry: '-' }
      current.set(pfn, state)
    }
    state[field] = field === 'entry' ? (kind === EventKind.ENTRY_SET ? '0x' + c.entry[i]!.toString(16) : 'none') : String(c.after[i]!)
    const step = c.step[i]!
    let t = out.get(key)
    if (!t) out.set(key, (t = { steps: [], states: [] }))
    // One snapshot per run of consecutive events of the same step: the state once the step is done with it.
    if (t.steps.length > 0 && t.steps[t.steps.length - 1] === step) t.states[t.states.length - 1] = { ...state }
    else {
      t.steps.push(step)
      t.states.push({ ...state })
    }
  }
  return out
}

function finalByPlace(result: RunResult, spans: readonly RegionSpan[]): Map<string, FolioResult> {
  const out = new Map<string, FolioResult>()
  for (const f of result.folios) {
    const place = placeOf(Number.parseInt(f.pfn, 16), spans)
    out.set(`${place.region}+${place.offset}`, f)
  }
  return out
}

export interface FolioSide {
  readonly events: RunEvents
  readonly spans: readonly RegionSpan[]
  readonly result: RunResult
}

/** Every page whose history or final state differs, in (region, offset) order. */
export function diffFolios(a: FolioSide, b: FolioSide): FolioChange[] {
  const ta = folioTimelines(a.events, a.spans)
  const tb = folioTimelines(b.events, b.spans)
  const fa = finalByPlace(a.result, a.spans)
  const fb = finalByPlace(b.result, b.spans)
  const keys = [...new Set([...ta.keys(), ...tb.keys(), ...fa.keys(), ...fb.keys()])].sort(comparePlaces)
  const opOf = (step: number) => a.result.steps[step]?.op ?? b.result.steps[step]?.op ?? '?'
  const changes: FolioChange[] = []
  for (const key of keys) {
    const first = firstDivergence(ta.get(key), tb.get(key))
    const final: Record<string, [string, string]> = {}
    const x = fa.get(key)
    const y = fb.get(key)
    for (const f of ['order', 'refcount', 'mapcount', 'pincount'] as const) {
      const va = x ? String(x[f]) : '-'
      const vb = y ? String(y[f]) : '-'
      if (va !== vb) final[f] = [va, vb]
    }
    if (!first && Object.keys(final).length === 0) continue
    const cut = key.lastIndexOf('+')
    changes.push({
      region: key.slice(0, cut),
      offset: key.slice(cut + 1),
      first_divergence: first ? { step: first.step, op: opOf(first.step), fields: first.fields } : null,
      final,
    })
  }
  return changes
}

function firstDivergence(a: Timeline | undefined, b: Timeline | undefined): { step: number; fields: Record<string, [string, string]> } | null {
  const empty: Timeline = { steps: [], states: [] }
  const x = a ?? empty
  const y = b ?? empty
  const n = Math.max(x.steps.length, y.steps.length)
  for (let i = 0; i < n; i++) {
    const sa = x.states[i]
    const sb = y.states[i]
    const stepA = x.steps[i]
    const stepB = y.steps[i]
    const fields: Record<string, [string, string]> = {}
    for (const f of FIELDS) {
      const va = sa?.[f] ?? '-'
      const vb = sb?.[f] ?? '-'
      if (va !== vb) fields[f] = [va, vb]
    }
    if (stepA !== stepB) fields.step = [stepA === undefined ? '-' : String(stepA), stepB === undefined ? '-' : String(stepB)]
    if (Object.keys(fields).length > 0) return { step: Math.min(stepA ?? Infinity, stepB ?? Infinity), fields }
  }
  return null
}

/** Region name, then numeric offset. */
function comparePlaces(p: string, q: string): number {
  const i = p.lastIndexOf('+')
  const j = q.lastIndexOf('+')
  const r = p.slice(0, i).localeCompare(q.slice(0, j))
  return r !== 0 ? r : Number.parseInt(p.slice(i + 3), 16) - Number.parseInt(q.slice(j + 3), 16)
}
