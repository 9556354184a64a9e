/**
 * The Explore view: the interleaving explorer run in the backend (exploreScenario), its progress polled
 * while it runs (exploreProgress) and Cancel (cancelRun: what was found is kept, `complete: false`).
 * Selecting a counterexample replays its choices into a stored run (runScenario's `schedule`, what
 * `daxlab run --schedule` does) and charts that run's violating folio; the same run is what "Open as
 * run" shows, and "Compare with sequential" stores the default schedule's run beside it. A replay this
 * page stored before (the same scenario text, kernel, arch, variant, patches and schedule) is reused
 * rather than stored again, in a later search too. Backend calls
 * only inside actions, through renderer/api; an answer for a search or selection no longer shown is
 * dropped.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { FolioSeries, LabErrorData, LabRequest, LibraryEntry } from '../../main/contract/api'
import type { ExploreProgressView } from '../../main/contract/explore'
import type { Counterexample, ExploreResult } from '../../main/explore/search'
import { getLabApi, labErrorOf } from '../api'
import { CHART_POINTS } from './run-view'

export type ExploreRequest = Omit<LabRequest<'exploreScenario'>, 'jobId'>

/** How often progress is polled while a search runs. */
export const EXPLORE_POLL_MS = 200

/** Replays whose run ids the page remembers; the oldest is forgotten first (it is only stored again). */
export const REMEMBERED_REPLAYS = 64

/**
 * What makes two replays the same run: a run is a pure function of its scenario text, kernel, arch,
 * variant, patch edits and schedule, given the profile the text names. A name alone is not enough: a
 * saved scenario can be overwritten under the same name. The profile's own contents are not in the
 * key: a saved profile edited while the page is open is not noticed (the replay is the one made with
 * it before).
 */
function replayKey(text: string, run: LabRequest<'runScenario'>): string {
  return JSON.stringify([text, run.kernel, run.arch ?? null, run.variant ?? null, run.patches ?? null, run.schedule ?? null])
}

export const useExploreStore = defineStore('explore', () => {
  const scenarios = shallowRef<LibraryEntry[]>([])
  const running = ref(false)
  const progress = shallowRef<ExploreProgressView>()
  const result = shallowRef<ExploreResult>()
  /** The request `result` answers: a replay runs the scenario with the same kernel, arch and patches. */
  const request = shallowRef<ExploreRequest>()
  const error = ref<LabErrorData>()
  /** The counterexample shown (its violation kind). */
  const selectedKind = ref<string>()
  /** Its replay, stored as a run, and that run's chart series (the violating folio). */
  const replayRunId = ref<number>()
  const series = shallowRef<FolioSeries>()
  const replaying = ref(false)
  /** The stored run of the default (round-robin) schedule, once Compare asked for it. */
  const sequentialRunId = ref<number>()

  let jobSeq = 0
  let currentJob: string | undefined
  /** Bumped by each search and each selection: an answer for an earlier one is dropped. */
  let token = 0
  let selectToken = 0
  /**
   * The runs this page stored for replays, by replayKey, kept across searches. The entry is the
   * pending runScenario itself, so a second selection while the first is still storing waits for that
   * run instead of storing another; a failed one is forgotten.
   */
  const replayRuns = new Map<string, Promise<number>>()

  const selected = computed<Counterexample | undefined>(() => result.value?.counterexamples.find((c) => c.kind === selectedKind.value))
  /** Race scenarios (topic `races`) first: those have a concurrent: block; the rest follow. */
  const scenarioChoices = computed(() => {
    const races = scenarios.value.filter((s) => s.topic === 'races')
    return { races, others: scenarios.value.filter((s) => s.topic !== 'races') }
  })

  async function loadScenarios(): Promise<void> {
    try {
      scenarios.value = await getLabApi().listScenarios(undefined)
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  function clearSelection(): void {
    selectedKind.value = undefined
    replayRunId.value = undefined
    series.value = undefined
    sequentialRunId.value = undefined
  }

  /** Runs the search; resolves with its result (undefined on an error, which `error` holds). */
  async function explore(req: ExploreRequest, pollMs = EXPLORE_POLL_MS): Promise<ExploreResult | undefined> {
    if (running.value) return undefined
    const mine = ++token
    const api = getLabApi()
    const jobId = `explore-${Date.now().toString(36)}-${++jobSeq}`
    currentJob = jobId
    running.value = true
    error.value = undefined
    progress.value = undefined
    result.value = undefined
    request.value = undefined
    clearSelection()
    const timer = setInterval(() => {
      api.exploreProgress({ jobId }).then(
        (p) => {
          if (p.state !== 'unknown' && mine === token && running.value) progress.value = p
        },
        () => undefined,
      )
    }, pollMs)
    try {
      const answer = await api.exploreScenario({ ...req, jobId })
      if (mine !== token) return undefined
      result.value = answer
      request.value = req
      const first = answer.counterexamples[0]
      if (first) void select(first.kind)
      return answer
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
      return undefined
    } finally {
      clearInterval(timer)
      if (mine === token) {
        running.value = false
        progress.value = undefined
        currentJob = undefined
      }
    }
  }

  /** Stops the search; its answer (not complete) still arrives through explore(). */
  async function cancel(): Promise<void> {
    if (!currentJob) return
    try {
      await getLabApi().cancelRun({ jobId: currentJob })
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  /** A run of the explored scenario with its kernel, arch, variant and patches; `schedule` first when given. */
  function runRequest(schedule?: readonly string[]): LabRequest<'runScenario'> | undefined {
    const req = request.value
    if (!req) return undefined
    return {
      scenario: req.scenario,
      ...(req.source !== undefined ? { source: req.source } : {}),
      kernel: req.kernel,
      ...(req.arch ? { arch: req.arch } : {}),
      ...(req.variant ? { variant: req.variant } : {}),
      ...(req.patches ? { patches: req.patches } : {}),
      ...(schedule ? { schedule: [...schedule] } : {}),
    }
  }

  /**
   * The stored run of the explored scenario under `schedule` (none: the default round-robin): the one
   * this page stored already for the same replay, else a new one.
   */
  async function replayRun(schedule?: readonly string[]): Promise<number | undefined> {
    const req = runRequest(schedule)
    if (!req) return undefined
    const api = getLabApi()
    const text = req.source ?? (await api.getScenarioText({ name: req.scenario })).text
    const key = replayKey(text, req)
    const known = replayRuns.get(key)
    if (known) return known
    const stored = api.runScenario(req).then((answer) => answer.runId)
    replayRuns.set(key, stored)
    if (replayRuns.size > REMEMBERED_REPLAYS) replayRuns.delete(replayRuns.keys().next().value!)
    stored.catch(() => {
      if (replayRuns.get(key) === stored) replayRuns.delete(key)
    })
    return stored
  }

  /** Shows a counterexample: its replay as a stored run (stored once) and the chart of its violating folio. */
  async function select(kind: string): Promise<void> {
    const ce = result.value?.counterexamples.find((c) => c.kind === kind)
    if (!ce) return
    const search = token
    const mine = ++selectToken
    const current = () => mine === selectToken && search === token
    selectedKind.value = kind
    series.value = undefined
    replayRunId.value = undefined
    replaying.value = true
    const api = getLabApi()
    try {
      const id = await replayRun(ce.choices)
      if (id === undefined || !current()) return
      replayRunId.value = id
      // The suggested folio is the run's first violation's: the one the counterexample breaks.
      const s = await api.getFolioSeries({ id, maxPoints: CHART_POINTS })
      if (current()) series.value = s
    } catch (err) {
      if (current()) error.value = labErrorOf(err)
    } finally {
      if (current()) replaying.value = false
    }
  }

  /** The stored run of the selected counterexample (what "Open as run" opens). */
  function openAsRun(): number | undefined {
    return replayRunId.value
  }

  /** The default-schedule run (stored once, as a replay is) and answers [counterexample run, sequential run]. */
  async function compareWithSequential(): Promise<[number, number] | undefined> {
    const replay = replayRunId.value
    if (replay === undefined) return undefined
    if (sequentialRunId.value === undefined) {
      try {
        // No schedule: `daxlab run`'s documented default (round-robin by task order).
        const sequential = await replayRun()
        if (sequential === undefined) return undefined
        sequentialRunId.value = sequential
      } catch (err) {
        error.value = labErrorOf(err)
        return undefined
      }
    }
    return [replay, sequentialRunId.value]
  }

  return {
    scenarios,
    scenarioChoices,
    running,
    progress,
    result,
    request,
    error,
    selectedKind,
    selected,
    replayRunId,
    series,
    replaying,
    sequentialRunId,
    loadScenarios,
    explore,
    cancel,
    select,
    openAsRun,
    compareWithSequential,
  }
})
