/**
 * The compare view: two to four stored runs lined up step by step. Pages of the comparison come from
 * main as the table scrolls (compareRuns, computed with the engine's own comparison), each run's chart
 * series for the same folio (getFolioSeries), and the view state every chart and the table share: one
 * step cursor and one zoom range. "Run and compare" runs one scenario under two kernels (or arches)
 * first. Backend calls only inside actions, through renderer/api; an answer for a comparison that is
 * no longer shown is dropped.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef } from 'vue'
import type { FolioSeries, LabErrorData, LabRequest, RunProgress } from '../../main/contract/api'
import type { ComparePage } from '../../main/contract/compare'
import type { StepComparison } from '../../main/sim/compare'
import { getLabApi, labErrorOf } from '../api'
import { cancelJob, whilePolling } from './job-poll'
import { fetchMissingPages } from './page-fetch'
import { CHART_POINTS } from './run-view'

export const COMPARE_PAGE = 200

/** One run to make for "run and compare": the scenario with a kernel, and optionally an arch. */
export interface CompareLeg {
  readonly kernel: string
  readonly arch?: string
}

export const useCompareStore = defineStore('compare', () => {
  const ids = ref<number[]>([])
  /** The first page's answer: runs, the comparison's summary (first divergence, violations, ...), totals. */
  const head = shallowRef<ComparePage>()
  const pages = shallowRef(new Map<number, readonly StepComparison[]>())
  const loading = ref(false)
  const error = ref<LabErrorData>()
  /** The step every chart marks and the table highlights. */
  const cursor = ref<number>()
  /** The step range every chart shows; undefined: the whole run. */
  const zoom = shallowRef<readonly [number, number]>()
  const pfn = ref<string>()
  const series = shallowRef<readonly (FolioSeries | undefined)[]>([])
  /** "Run and compare" in flight: which leg and its progress. */
  const launching = shallowRef<{ leg: number; legs: number; progress: RunProgress }>()
  /**
   * The progress of the leg in flight, as the poll and cancelJob read and write it: an answer for a
   * job that is no longer the one in flight (the leg ended meanwhile) is dropped.
   */
  const launchProgress = computed<RunProgress | undefined>({
    get: () => launching.value?.progress,
    set: (p) => {
      const now = launching.value
      if (now && p && now.progress.jobId === p.jobId) launching.value = { ...now, progress: p }
    },
  })
  /** The scenario the "run and compare" form shows. */
  const launchScenario = ref('')

  let token = 0
  const pending = new Set<number>()

  const total = computed(() => head.value?.total ?? 0)
  const firstDivergence = computed(() => head.value?.comparison.firstDivergence ?? null)

  async function open(runIds: readonly number[]): Promise<void> {
    const mine = ++token
    ids.value = [...runIds]
    head.value = undefined
    pages.value = new Map()
    pending.clear()
    cursor.value = undefined
    zoom.value = undefined
    pfn.value = undefined
    series.value = []
    error.value = undefined
    if (runIds.length < 2) return
    loading.value = true
    const api = getLabApi()
    try {
      const first = await api.compareRuns({ ids: [...runIds], offset: 0, limit: COMPARE_PAGE })
      if (mine !== token) return
      head.value = first
      pages.value = new Map([[0, first.steps]])
      // The chart opens on the first run's suggested folio, the same pfn in every run (runs of one
      // scenario on one profile lay their folios out alike).
      const lead = await api.getFolioSeries({ id: runIds[0]!, maxPoints: CHART_POINTS })
      if (mine !== token) return
      if (lead.pfn !== '') await chartFolio(lead.pfn, lead)
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    } finally {
      if (mine === token) loading.value = false
    }
  }

  function rowAt(index: number): StepComparison | undefined {
    return pages.value.get(Math.floor(index / COMPARE_PAGE))?.[index % COMPARE_PAGE]
  }

  async function ensureRows(first: number, last: number): Promise<void> {
    if (!head.value) return
    const mine = token
    const runIds = ids.value
    await fetchMissingPages({
      first,
      last,
      pageSize: COMPARE_PAGE,
      total: total.value,
      has: (p) => pages.value.has(p),
      pending,
      load: async (p) => {
        try {
          const page = await getLabApi().compareRuns({ ids: runIds, offset: p * COMPARE_PAGE, limit: COMPARE_PAGE })
          if (mine !== token) return
          pages.value.set(p, page.steps)
          triggerRef(pages)
        } catch (err) {
          if (mine === token) error.value = labErrorOf(err)
        }
      },
    })
  }

  /** Charts folio `next` in every run; `lead`, the first run's series when already fetched. */
  async function chartFolio(next: string, lead?: FolioSeries): Promise<void> {
    const mine = token
    pfn.value = next
    const api = getLabApi()
    try {
      const answers = await Promise.all(ids.value.map((id, i) => (i === 0 && lead ? lead : api.getFolioSeries({ id, pfn: next, maxPoints: CHART_POINTS }))))
      if (mine === token && pfn.value === next) series.value = answers
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    }
  }

  function setCursor(step: number | undefined): void {
    cursor.value = step
  }

  function setZoom(range: readonly [number, number] | undefined): void {
    zoom.value = range
  }

  function jumpToFirstDivergence(): void {
    const first = firstDivergence.value
    if (first) cursor.value = first.step
  }

  /** Moves the cursor to the next (or previous) differing step; stays put when there is none. */
  async function jumpDivergence(direction: 'next' | 'previous'): Promise<void> {
    if (!head.value) return
    const mine = token
    const at = cursor.value ?? -1
    try {
      const answer = await getLabApi().compareRuns({ ids: ids.value, offset: 0, limit: 0, from: direction === 'next' ? at + 1 : Math.max(0, at) })
      if (mine !== token) return
      const step = direction === 'next' ? answer.next : answer.previous
      if (step !== null && step !== undefined) cursor.value = step
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    }
  }

  let jobCounter = 0

  /**
   * Runs one scenario once per leg (6.14 and 6.17, say), polling each run's progress, then opens the
   * comparison of the new runs. Returns their ids, or undefined when a run failed or was cancelled.
   */
  async function runAndCompare(request: { scenario: string; legs: readonly CompareLeg[]; session?: string }, pollMs = 150): Promise<number[] | undefined> {
    const api = getLabApi()
    error.value = undefined
    launchScenario.value = request.scenario
    const made: number[] = []
    try {
      for (const [i, leg] of request.legs.entries()) {
        const jobId = `cmp-${Date.now().toString(36)}-${++jobCounter}`
        launching.value = { leg: i, legs: request.legs.length, progress: { jobId, state: 'running', done: 0, total: 0 } }
        const run: LabRequest<'runScenario'> = {
          scenario: request.scenario,
          kernel: leg.kernel,
          jobId,
          ...(leg.arch ? { arch: leg.arch } : {}),
          ...(request.session ? { session: request.session } : {}),
        }
        const onProgress = (p: RunProgress) => {
          launchProgress.value = p
        }
        made.push((await whilePolling(api, jobId, pollMs, onProgress, () => api.runScenario(run))).runId)
      }
    } catch (err) {
      error.value = labErrorOf(err)
      return undefined
    } finally {
      launching.value = undefined
    }
    await open(made)
    return made
  }

  /** Stops the leg in flight; runAndCompare then ends with its `cancelled` error and compares nothing. */
  async function cancelLaunch(): Promise<void> {
    await cancelJob(getLabApi(), launchProgress, error)
  }

  function clearError(): void {
    error.value = undefined
  }

  return {
    ids,
    head,
    pages,
    loading,
    error,
    cursor,
    zoom,
    pfn,
    series,
    launching,
    launchScenario,
    total,
    firstDivergence,
    open,
    rowAt,
    ensureRows,
    chartFolio,
    setCursor,
    setZoom,
    jumpToFirstDivergence,
    jumpDivergence,
    runAndCompare,
    cancelLaunch,
    clearError,
  }
})
