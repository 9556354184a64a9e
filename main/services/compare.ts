/**
 * The compare view's backend: stored runs lined up step by step with the engine's own comparison
 * (`compareRuns`, main/sim/compare.ts, the one `daxlab compare` prints), a page at a time. The runs are
 * decoded once and kept with the list of differing steps, so paging and "next divergence" cost one
 * page each; a page is `compareRuns` over slices of the runs' steps, never a second implementation.
 */
import type { RunSummary } from '../contract/api'
import type { ComparePage } from '../contract/compare'
import { LabError } from '../contract/envelope'
import { compareRuns, sliceRun, type Comparison, type StepComparison } from '../sim/compare'
import type { RunResult } from '../sim/result'
import type { TraceStore } from '../store/trace-store'

/** Steps compared per slice while listing the differing ones: bounds the objects alive at once. */
const SCAN_SLICE = 4096
/** Per-run violation and blocked lists in an answer (as the run header caps them). */
const LIST_LIMIT = 2000
/** Comparisons kept: the one on screen and the one before it. */
const CACHED = 2

interface Lined {
  readonly runs: RunSummary[]
  readonly results: RunResult[]
  readonly comparison: Omit<Comparison, 'steps'>
  readonly total: number
  /** Ascending step numbers that differ in at least one value. */
  readonly divergent: Int32Array
}

/** compareRuns over steps [offset, offset + limit) of each run, with step numbers from the whole run. */
export function compareSlice(results: readonly RunResult[], offset: number, limit: number): StepComparison[] {
  const sliced = results.map((r) => sliceRun(r, offset, limit))
  if (sliced.every((r) => r.steps.length === 0)) return []
  return compareRuns(sliced).steps.map((s) => ({ ...s, index: s.index + offset }))
}

function lineUp(store: TraceStore, ids: readonly number[]): Lined {
  const stored = ids.map((id) => {
    const run = store.getRun(id)
    if (!run) throw new LabError({ code: 'not_found', field: 'ids', message: `no stored run ${id}` })
    return run
  })
  const results = stored.map((s) => s.result)
  const total = Math.max(...results.map((r) => r.steps.length))
  const divergent: number[] = []
  for (let offset = 0; offset < total; offset += SCAN_SLICE) {
    for (const s of compareSlice(results, offset, SCAN_SLICE)) if (s.differs.length > 0) divergent.push(s.index)
  }
  // Everything compareRuns reports besides the step list, from the runs with no steps (cheap), then
  // the first divergence from its own one-step slice (its summary names the step by its number).
  const { steps: none, ...meta } = compareRuns(
    results.map((r) => ({ ...r, steps: [] })),
    ids,
  )
  void none
  const firstDivergence = divergent.length > 0 ? firstDivergenceAt(results, divergent[0]!) : null
  const comparison = {
    ...meta,
    firstDivergence,
    violations: meta.violations.map((list) => list.slice(0, LIST_LIMIT)),
    blocked: meta.blocked.map((list) => list.slice(0, LIST_LIMIT)),
  }
  return { runs: stored.map((s) => s.summary), results, comparison, total, divergent: Int32Array.from(divergent) }
}

/**
 * compareRuns's first divergence over the one-step slice at `step`: its summary names the step by its
 * position in the slice (0), so that prefix is put back to the step's number.
 */
function firstDivergenceAt(results: readonly RunResult[], step: number): Comparison['firstDivergence'] {
  const found = compareRuns(results.map((r) => sliceRun(r, step, 1))).firstDivergence
  return found ? { ...found, step, summary: `step ${step}${found.summary.slice('step 0'.length)}` } : null
}

/** The first index of `sorted` whose value is >= step. */
function lowerBound(sorted: Int32Array, step: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid]! < step) lo = mid + 1
    else hi = mid
  }
  return lo
}

export class CompareViews {
  private readonly cache = new Map<string, Lined>()

  constructor(private readonly store: TraceStore) {}

  private lined(ids: readonly number[]): Lined {
    const key = ids.join(',')
    const hit = this.cache.get(key)
    if (hit) {
      this.cache.delete(key)
      this.cache.set(key, hit)
      return hit
    }
    const fresh = lineUp(this.store, ids)
    this.cache.set(key, fresh)
    for (const old of this.cache.keys()) {
      if (this.cache.size <= CACHED) break
      this.cache.delete(old)
    }
    return fresh
  }

  page(request: { ids: number[]; offset?: number; limit?: number; from?: number }): ComparePage {
    if (new Set(request.ids).size !== request.ids.length) throw new LabError({ code: 'invalid_request', field: 'ids', message: 'a run is listed twice: pick different runs' })
    const lined = this.lined(request.ids)
    const offset = Math.min(request.offset ?? 0, lined.total)
    const steps = compareSlice(lined.results, offset, request.limit ?? 200)
    const around =
      request.from === undefined
        ? {}
        : (() => {
            const at = lowerBound(lined.divergent, request.from)
            return { next: at < lined.divergent.length ? lined.divergent[at]! : null, previous: at > 0 ? lined.divergent[at - 1]! : null }
          })()
    return {
      runs: lined.runs,
      comparison: lined.comparison,
      total: lined.total,
      divergent: lined.divergent.length,
      offset,
      steps,
      ...around,
      scenariosDiffer: new Set(lined.runs.map((r) => r.scenario)).size > 1,
    }
  }
}
