/**
 * Stored runs, which one is selected, the built-in scenarios and profiles, and the run in flight.
 * The selected run itself is shown by the run-view store, a page at a time (a run is never fetched
 * whole). Backend calls happen only inside actions, through renderer/api. Results are replaced whole,
 * never mutated, so they sit in shallowRefs.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { LabErrorData, LabRequest, LibraryEntry, RunProgress, RunSummary } from '../../main/contract/api'
import { getLabApi, labErrorOf } from '../api'
import { cancelJob, whilePolling } from './job-poll'
import { useRunViewStore } from './run-view'

export const useRunsStore = defineStore('runs', () => {
  const runs = shallowRef<RunSummary[]>([])
  const scenarios = shallowRef<LibraryEntry[]>([])
  const profiles = shallowRef<LibraryEntry[]>([])
  const selectedId = ref<number>()
  const loadingRuns = ref(false)
  const running = ref(false)
  /** The run in flight: its job id and the last progress polled from the backend. */
  const progress = shallowRef<RunProgress>()
  const error = ref<LabErrorData>()
  /** A scenario another view asked the run form to pick (the Scenarios view's "Run this scenario"). */
  const pickedScenario = ref<string>()

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

  async function loadProfiles(): Promise<void> {
    try {
      profiles.value = await getLabApi().listProfiles(undefined)
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  /** Selects a run and opens it in the run view (which drops answers for an earlier selection). */
  async function select(id: number | undefined): Promise<void> {
    selectedId.value = id
    const view = useRunViewStore()
    await view.open(id)
    if (selectedId.value === id && view.error) error.value = view.error
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
    try {
      const onProgress = (p: RunProgress) => {
        if (progress.value?.jobId === jobId) progress.value = p
      }
      const { runId } = await whilePolling(api, jobId, pollMs, onProgress, () => api.runScenario({ ...request, jobId }))
      await refresh()
      await select(runId)
      return runId
    } catch (err) {
      error.value = labErrorOf(err)
      return undefined
    } finally {
      running.value = false
      progress.value = undefined
    }
  }

  /** Asks the backend to stop the run in flight; runScenario then ends with a `cancelled` error. */
  async function cancelRun(): Promise<void> {
    await cancelJob(getLabApi(), progress, error)
  }


  function pickScenario(name: string): void {
    pickedScenario.value = name
  }

  function clearError(): void {
    error.value = undefined
  }

  return { runs, scenarios, profiles, selectedId, loadingRuns, running, progress, error, pickedScenario, refresh, pickScenario, loadScenarios, loadProfiles, select, runScenario, cancelRun, clearError }
})
