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

/**
 * A page's history: after each step that changed it, its counts and entry. Numbers in flat arrays
 * (the hot loop allocates nothing per event); NaN means "not seen yet", entry -1n "none".
 */
interface Timeline {
  readonly steps: number[]
  /** 3 per snapshot: refcount, mapcount, pincount. */
  readonly counts: number[]
  readonly entries: bigint[]
}

const UNSEEN = -2n
const CLEARED = -1n

/** The history of every page the log touched, keyed by `region+offset`. */
export function folioTimelines(ev: RunEvents, spans: readonly RegionSpan[]): Map<string, Timeline> {
  const byPfn = new Map<number, { t: Timeline; r: number; m: number; p: number; e: bigint }>()
  const out = new Map<string, Timeline>()
  const c: EventColumns = ev.cols
  for (let i = 0; i < c.count; i++) {
    const kind = c.kind[i]!
    if (kind > EventKind.ENTRY_CLEAR || kind === EventKind.PGMAP_REFS) continue
    const pfn = c.pfn[i]!
    let f = byPfn.get(pfn)
    if (!f) {
      const place = placeOf(pfn, spans)
      const key = `${place.region}+${place.offset}`
      let t = out.get(key)
      if (!t) out.set(key, (t = { steps: [], counts: [], entries: [] }))
      f = { t, r: NaN, m: NaN, p: NaN, e: UNSEEN }
      byPfn.set(pfn, f)
    }
    if (kind === EventKind.REFCOUNT) f.r = c.after[i]!
    else if (kind === EventKind.MAPCOUNT) f.m = c.after[i]!
    else if (kind === EventKind.PINCOUNT) f.p = c.after[i]!
    else f.e = kind === EventKind.ENTRY_SET ? c.entry[i]! : CLEARED
    const t = f.t
    const step = c.step[i]!
    const n = t.steps.length
    // One snapshot per run of consecutive events of the same step: the state once the step is done with it.
    if (n > 0 && t.steps[n - 1] === step) {
      t.counts[3 * n - 3] = f.r
      t.counts[3 * n - 2] = f.m
      t.counts[3 * n - 1] = f.p
      t.entries[n - 1] = f.e
    } else {
      t.steps.push(step)
      t.counts.push(f.r, f.m, f.p)
      t.entries.push(f.e)
    }
  }
  return out
}

function countText(v: number | undefined): string {
  return v === undefined || Number.isNaN(v) ? '-' : String(v)
}

function entryText(v: bigint | undefined): string {
  return v === undefined || v === UNSEEN ? '-' : v === CLEARED ? 'none' : '0x' + v.toString(16)
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
  const x = a ?? { steps: [], counts: [], entries: [] }
  const y = b ?? { steps: [], counts: [], entries: [] }
  const n = Math.max(x.steps.length, y.steps.length)
  for (let i = 0; i < n; i++) {
    const stepA = x.steps[i]
    const stepB = y.steps[i]
    const same =
      stepA === stepB &&
      Object.is(x.counts[3 * i], y.counts[3 * i]) &&
      Object.is(x.counts[3 * i + 1], y.counts[3 * i + 1]) &&
      Object.is(x.counts[3 * i + 2], y.counts[3 * i + 2]) &&
      x.entries[i] === y.entries[i]
    if (same) continue
    const fields: Record<string, [string, string]> = {}
    FIELDS.forEach((f, k) => {
      const va = k < 3 ? countText(x.counts[3 * i + k]) : entryText(x.entries[i])
      const vb = k < 3 ? countText(y.counts[3 * i + k]) : entryText(y.entries[i])
      if (va !== vb) fields[f] = [va, vb]
    })
    if (stepA !== stepB) fields.step = [stepA === undefined ? '-' : String(stepA), stepB === undefined ? '-' : String(stepB)]
    return { step: Math.min(stepA ?? Infinity, stepB ?? Infinity), fields }
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
