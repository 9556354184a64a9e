/**
 * The paged views of one stored run that the run view reads (getRunHeader, getSteps, listFolios,
 * getFolioSeries, filtered getEvents): the renderer asks for a screenful, main answers from the store.
 * A stored run never changes, so what is costly to derive (the decoded result, the steps' arguments,
 * the folio index) is kept for the few runs viewed last.
 */
import { parse as parseYaml } from 'yaml'
import type { FolioActivity, FolioList, FolioSeries, RunHeader, StepsPage, TraceEventDto } from '../contract/api'
import { HEADER_LIST_LIMIT } from '../contract/api'
import { EventKind, EVENT_KIND_NAMES, type EventColumns, type TraceEvent } from '../sim/events'
import type { FolioResult, RunResult } from '../sim/result'
import { decodeEvent } from '../store/event-codec'
import type { TraceStore } from '../store/trace-store'
import type { RunSummary } from '../store/types'

/** Runs whose derived data stays in memory: the one on screen, and a couple the user flips between. */
const CACHED_RUNS = 3
/** Kinds the folio index and the chart read; the other chunks are skipped unread. */
const COUNT_KINDS = ['refcount', 'mapcount', 'pincount', 'pgmap_refs', 'wait'] as const

interface FolioIndex {
  readonly list: FolioActivity[]
}

interface CachedRun {
  readonly summary: RunSummary
  readonly result: RunResult
  readonly scenarioText: string
  args?: readonly Readonly<Record<string, unknown>>[]
  folios?: FolioIndex
  /** Series already computed, by `pfn:maxPoints` (the few folios the user flipped between). */
  readonly series: Map<string, FolioSeries>
}

const CACHED_SERIES = 8

export function hexPfn(pfn: number): string {
  return '0x' + pfn.toString(16)
}

/** `0x240000` or `2359296` (validated by the contract schema) as a number. */
export function parsePfn(text: string): number {
  return text.startsWith('0x') || text.startsWith('0X') ? Number.parseInt(text.slice(2), 16) : Number(text)
}

/**
 * Each step's arguments as the scenario wrote them. The text was validated when the run was made, so
 * this only needs the shape: a list of one-key maps. JSON (what generated scenarios use) parses far
 * faster than YAML, and JSON is YAML, so either way gives the same answer.
 */
export function stepArguments(text: string): Readonly<Record<string, unknown>>[] {
  let doc: unknown
  try {
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 1000 })
  } catch {
    return []
  }
  const steps = (doc as { steps?: unknown } | null)?.steps
  if (!Array.isArray(steps)) return []
  return steps.map((raw: unknown) => {
    if (raw === null || typeof raw !== 'object') return {}
    const value = Object.values(raw as Record<string, unknown>)[0]
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  })
}

export class RunViews {
  private readonly cache = new Map<number, CachedRun>()

  constructor(private readonly store: TraceStore) {}

  /** The run, decoded once; undefined when it is not stored. */
  private run(id: number): CachedRun | undefined {
    const hit = this.cache.get(id)
    if (hit) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.cache.delete(id)
      this.cache.set(id, hit)
      return hit
    }
    const stored = this.store.getRun(id)
    if (!stored) return undefined
    const entry: CachedRun = { ...stored, series: new Map() }
    this.cache.set(id, entry)
    for (const old of this.cache.keys()) {
      if (this.cache.size <= CACHED_RUNS) break
      this.cache.delete(old)
    }
    return entry
  }

  exists(id: number): boolean {
    return this.run(id) !== undefined
  }

  /** The scenario text the run was made from, as stored. */
  scenarioText(id: number): { name: string; text: string } | undefined {
    const run = this.run(id)
    return run ? { name: run.summary.scenario, text: run.scenarioText } : undefined
  }

  header(id: number): RunHeader | null {
    const run = this.run(id)
    if (!run) return null
    const { result } = run
    return {
      summary: run.summary,
      quirks: result.quirks,
      violations: result.violations.slice(0, HEADER_LIST_LIMIT),
      violationsTotal: result.violations.length,
      blocked: result.blocked.slice(0, HEADER_LIST_LIMIT),
      blockedTotal: result.blocked.length,
      folios: result.folios.slice(0, HEADER_LIST_LIMIT),
      foliosTotal: result.folios.length,
      pgmaps: result.pgmaps,
    }
  }

  steps(id: number, offset: number, limit: number): StepsPage | undefined {
    const run = this.run(id)
    if (!run) return undefined
    run.args ??= stepArguments(run.scenarioText)
    const args = run.args
    const all = run.result.steps
    const steps = all.slice(offset, offset + limit).map((s) => ({ ...s, args: args[s.index] ?? {} }))
    return { total: all.length, offset, steps }
  }

  folios(id: number, limit: number): FolioList | undefined {
    const run = this.run(id)
    if (!run) return undefined
    run.folios ??= this.indexFolios(id)
    return { folios: run.folios.list.slice(0, limit), total: run.folios.list.length, suggested: this.suggested(id, run) }
  }

  /**
   * The folio the chart opens on, found without scanning the events when the result says enough (the
   * first screen must not wait for the folio index): the first violation's folio, else the folio the
   * run ends with the most references on, else the busiest folio of the index.
   */
  private suggested(id: number, run: CachedRun): string | null {
    const { result } = run
    const flagged = result.violations.find((v) => v.pfn !== undefined)
    if (flagged) return hexPfn(parsePfn(flagged.pfn!))
    let best: FolioResult | undefined
    for (const f of result.folios) if (!best || f.refcount + f.pincount + f.mapcount > best.refcount + best.pincount + best.mapcount) best = f
    if (best && best.refcount + best.pincount + best.mapcount > 0) return hexPfn(parsePfn(best.pfn))
    run.folios ??= this.indexFolios(id)
    return run.folios.list[0]?.pfn ?? null
  }

  /** One pass over the count events: which folios have any, and how busy each is. */
  private indexFolios(id: number): FolioIndex {
    const byPfn = new Map<number, { events: number; maxRefcount: number; maxMapcount: number; maxPincount: number }>()
    this.store.scanEventColumns(
      id,
      (cols) => {
        for (let i = 0; i < cols.count; i++) {
          const kind = cols.kind[i]!
          if (kind > EventKind.PINCOUNT && kind !== EventKind.WAIT) continue
          const pfn = cols.pfn[i]!
          let f = byPfn.get(pfn)
          if (!f) byPfn.set(pfn, (f = { events: 0, maxRefcount: 0, maxMapcount: 0, maxPincount: 0 }))
          f.events++
          const after = cols.after[i]!
          if (kind === EventKind.REFCOUNT) f.maxRefcount = Math.max(f.maxRefcount, after, cols.before[i]!)
          else if (kind === EventKind.MAPCOUNT) f.maxMapcount = Math.max(f.maxMapcount, after)
          else if (kind === EventKind.PINCOUNT) f.maxPincount = Math.max(f.maxPincount, after)
        }
      },
      { kinds: COUNT_KINDS },
    )
    const list = [...byPfn.entries()]
      .sort((a, b) => b[1].events - a[1].events || a[0] - b[0])
      .map(([pfn, f]) => ({ pfn: hexPfn(pfn), ...f }))
    return { list }
  }

  series(id: number, pfnText: string | undefined, maxPoints: number): FolioSeries | undefined {
    const run = this.run(id)
    if (!run) return undefined
    const chosen = pfnText ?? this.suggested(id, run)
    const totalSteps = run.result.steps.length
    if (chosen === null) {
      return { pfn: '', pgmap: null, totalSteps, downsampled: false, steps: [], refcount: [], mapcount: [], pincount: [], pgmapRefs: null, waits: [], violations: [] }
    }
    const pfn = parsePfn(chosen)
    const key = `${pfn}:${maxPoints}`
    const hit = run.series.get(key)
    if (hit) return hit
    const pgmap = this.pgmapOf(run.result, hexPfn(pfn))
    const points = collectPoints(this.store, id, pfn, pgmap)
    const violations = run.result.violations.filter((v) => v.pfn === undefined || parsePfn(v.pfn) === pfn).map((v) => v.step)
    const folded = points.steps.length > maxPoints ? downsample(points, totalSteps, maxPoints) : points
    const answer: FolioSeries = {
      pfn: hexPfn(pfn),
      pgmap,
      totalSteps,
      downsampled: folded !== points,
      steps: folded.steps,
      refcount: folded.counts[0],
      mapcount: folded.counts[1],
      pincount: folded.counts[2],
      pgmapRefs: pgmap === null ? null : folded.counts[3],
      waits: points.waits,
      violations,
    }
    run.series.set(key, answer)
    if (run.series.size > CACHED_SERIES) run.series.delete(run.series.keys().next().value!)
    return answer
  }

  /** The pgmap of the folio's region when the result names it, else the run's only pgmap. */
  private pgmapOf(result: RunResult, pfn: string): string | null {
    const region = result.folios.find((f) => f.pfn === pfn)?.region
    if (region !== undefined && result.pgmaps.some((p) => p.name === region)) return region
    return result.pgmaps.length === 1 ? result.pgmaps[0]!.name : null
  }

  /**
   * Events of one task and/or pfn (with the usual kind, step and fromSeq filters), read straight from
   * the chunk columns so a filter that matches little never builds objects for what it skips.
   */
  filteredEvents(id: number, q: { kinds?: readonly string[]; fromSeq?: number; step?: number; task?: string; pfn?: string; limit: number }): TraceEventDto[] {
    const out: TraceEventDto[] = []
    const keep = new Uint8Array(256)
    if (q.kinds) for (const k of q.kinds) keep[EVENT_KIND_NAMES.indexOf(k)] = 1
    else keep.fill(1)
    const pfn = q.pfn === undefined ? undefined : parsePfn(q.pfn)
    const fromSeq = q.fromSeq ?? 0
    let taskId: number | undefined
    this.store.scanEventColumns(
      id,
      (cols, firstSeq, { tasks, causes }) => {
        if (q.task !== undefined) {
          taskId ??= tasks.indexOf(q.task)
          if (taskId < 0) return false // no such task in this run: nothing can match
        }
        for (let i = Math.max(0, fromSeq - firstSeq); i < cols.count; i++) {
          if (!keep[cols.kind[i]!]) continue
          if (q.step !== undefined && cols.step[i] !== q.step) continue
          if (taskId !== undefined && cols.task[i] !== taskId) continue
          if (pfn !== undefined && cols.pfn[i] !== pfn) continue
          out.push(toEventDto(cols, i, firstSeq + i, tasks, causes))
          if (out.length >= q.limit) return false
        }
        return true
      },
      { fromSeq, ...(q.kinds ? { kinds: q.kinds } : {}) },
    )
    return out
  }
}

/** An event as it crosses the boundary: pfn and entry as hex (JSON has no 64-bit integers). */
export function eventDto(e: TraceEvent): TraceEventDto {
  return { ...e, pfn: hexPfn(e.pfn), entry: e.entry === undefined ? undefined : '0x' + e.entry.toString(16).padStart(16, '0') }
}

function toEventDto(cols: EventColumns, i: number, seq: number, tasks: readonly string[], causes: readonly string[]): TraceEventDto {
  return eventDto(decodeEvent(cols, i, seq, tasks, causes))
}

interface Points {
  steps: number[]
  /** refcount, mapcount, pincount, pgmap refs */
  counts: [number[], number[], number[], number[]]
  waits: number[]
}

/**
 * The change points of one folio's counts (and its pgmap's refs): one point per step that changed
 * any of them, holding the values after that step. A count not yet seen reads as the `before` of
 * its first event (its value since the start of the run), or 0 when it never changes.
 */
function collectPoints(store: TraceStore, id: number, pfn: number, pgmap: string | null): Points {
  const steps: number[] = []
  const counts: Points['counts'] = [[], [], [], []]
  const waits: number[] = []
  const current = [Number.NaN, Number.NaN, Number.NaN, Number.NaN]
  const initial = [Number.NaN, Number.NaN, Number.NaN, Number.NaN]
  let pgmapCauses: Uint8Array | undefined
  store.scanEventColumns(
    id,
    (cols, _first, { causes }) => {
      if (!pgmapCauses) {
        // pgmap_refs events carry the region index as pfn; their cause names the pgmap: `... [name]`.
        pgmapCauses = new Uint8Array(causes.length)
        if (pgmap !== null) causes.forEach((c, k) => (pgmapCauses![k] = c.endsWith(`[${pgmap}]`) ? 1 : 0))
      }
      for (let i = 0; i < cols.count; i++) {
        const kind = cols.kind[i]!
        let slot: number
        if (kind <= EventKind.PINCOUNT) {
          if (cols.pfn[i] !== pfn) continue
          slot = kind
        } else if (kind === EventKind.PGMAP_REFS) {
          if (!pgmapCauses[cols.cause[i]!]) continue
          slot = 3
        } else if (kind === EventKind.WAIT) {
          if (cols.pfn[i] === pfn) waits.push(cols.step[i]!)
          continue
        } else continue
        if (Number.isNaN(initial[slot]!)) initial[slot] = cols.before[i]!
        current[slot] = cols.after[i]!
        const step = cols.step[i]!
        const last = steps.length - 1
        if (last >= 0 && steps[last] === step) {
          counts[slot][last] = current[slot]!
        } else {
          steps.push(step)
          for (let s = 0; s < 4; s++) counts[s as 0][steps.length - 1] = current[s]!
        }
      }
    },
    { kinds: COUNT_KINDS },
  )
  // Backfill the stretch before each count's first change with the value it had then.
  for (let s = 0; s < 4; s++) {
    const start = Number.isNaN(initial[s]!) ? 0 : initial[s]!
    const column = counts[s as 0]
    for (let i = 0; i < column.length && Number.isNaN(column[i]!); i++) column[i] = start
  }
  // The line starts at the run's first step even when the folio is first touched later.
  if (steps.length > 0 && steps[0]! > 0) {
    steps.unshift(0)
    for (let s = 0; s < 4; s++) counts[s as 0].unshift(Number.isNaN(initial[s]!) ? 0 : initial[s]!)
  }
  return { steps, counts, waits: [...new Set(waits)] }
}

/**
 * Folds change points into at most `maxPoints` buckets of equal step width; each bucket keeps every
 * count's peak over the bucket, including the value carried in from the bucket before.
 */
function downsample(points: Points, totalSteps: number, maxPoints: number): Points {
  const width = Math.max(1, Math.ceil(Math.max(totalSteps, points.steps.at(-1)! + 1) / maxPoints))
  const steps: number[] = []
  const counts: Points['counts'] = [[], [], [], []]
  const carried = [0, 0, 0, 0]
  let bucket = -1
  for (let i = 0; i < points.steps.length; i++) {
    const b = Math.floor(points.steps[i]! / width)
    if (b !== bucket) {
      bucket = b
      steps.push(b * width)
      for (let s = 0; s < 4; s++) counts[s as 0].push(i === 0 ? points.counts[s as 0][0]! : carried[s]!)
    }
    const last = steps.length - 1
    for (let s = 0; s < 4; s++) {
      const v = points.counts[s as 0][i]!
      carried[s] = v
      if (v > counts[s as 0][last]!) counts[s as 0][last] = v
    }
  }
  return { steps, counts, waits: points.waits }
}
