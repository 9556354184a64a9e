/**
 * Stored runs, the selected run's detail and the built-in scenarios. Backend calls happen only inside
 * actions, through renderer/api. Results are replaced whole, never mutated, so they sit in shallowRefs.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { LabErrorData, LabRequest, LibraryEntry, RunDetail, RunProgress, RunSummary } from '../../main/contract/api'
import { getLabApi, labErrorOf } from '../api'

export const useRunsStore = defineStore('runs', () => {
  const runs = shallowRef<RunSummary[]>([])
  const scenarios = shallowRef<LibraryEntry[]>([])
  const selectedId = ref<number>()
  const selected = shallowRef<RunDetail>()
  const loadingRuns = ref(false)
  const loadingRun = ref(false)
  const running = ref(false)
  /** The run in flight: its job id and the last progress polled from the backend. */
  const progress = shallowRef<RunProgress>()
  const error = ref<LabErrorData>()

  // Only the latest selection may land: a slow answer for an earlier click is dropped.
  let selectToken = 0

  async function refresh(): Promise<void> {
    loadingRuns.value = true
    try {
      runs.value = await getLabApi().listRuns(undefined)
    } catch (err) {
      error.value = labErrorOf(err)
    } finally {
      loadingRuns.value = false
    }
  }

  async function loadScenarios(): Promise<void> {
    try {
      scenarios.value = await getLabApi().listScenarios(undefined)
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  async function select(id: number | undefined): Promise<void> {
    const token = ++selectToken
    selectedId.value = id
    selected.value = undefined
    if (id === undefined) return
    loadingRun.value = true
    try {
      const detail = await getLabApi().getRun({ id })
      if (token !== selectToken) return
      if (detail === null) error.value = { code: 'not_found', message: `run ${id} is no longer stored` }
      selected.value = detail ?? undefined
    } catch (err) {
      if (token === selectToken) error.value = labErrorOf(err)
    } finally {
      if (token === selectToken) loadingRun.value = false
    }
  }

  let jobCounter = 0

  /**
   * Runs a scenario, polling its progress while it is in flight (the backend yields between slices of
   * steps), then refreshes the list and selects the new run; returns its id.
   */
  async function runScenario(request: Omit<LabRequest<'runScenario'>, 'jobId'>, pollMs = 150): Promise<number | undefined> {
    const api = getLabApi()
    const jobId = `ui-${Date.now().toString(36)}-${++jobCounter}`
    running.value = true
    error.value = undefined
    progress.value = { jobId, state: 'running', done: 0, total: 0 }
    const timer = setInterval(() => {
      api.runProgress({ jobId }).then(
        (p) => {
          if (progress.value?.jobId === jobId && p.state !== 'unknown') progress.value = p
        },
        () => undefined,
      )
    }, pollMs)
    try {
      const { runId } = await api.runScenario({ ...request, jobId })
      await refresh()
      await select(runId)
      return runId
    } catch (err) {
      error.value = labErrorOf(err)
      return undefined
    } finally {
      clearInterval(timer)
      running.value = false
      progress.value = undefined
    }
  }

  /** Asks the backend to stop the run in flight; runScenario then ends with a `cancelled` error. */
  async function cancelRun(): Promise<void> {
    const job = progress.value
    if (!job) return
    try {
      const answer = await getLabApi().cancelRun({ jobId: job.jobId })
      // The run may have ended (and cleared progress) while the cancel was on its way.
      if (progress.value?.jobId === job.jobId) progress.value = answer
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  function clearError(): void {
    error.value = undefined
  }

  return { runs, scenarios, selectedId, selected, loadingRuns, loadingRun, running, progress, error, refresh, loadScenarios, select, runScenario, cancelRun, clearError }
})
