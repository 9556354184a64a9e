/**
 * Stored runs, the selected run's detail and the built-in scenarios. Backend calls happen only inside
 * actions, through renderer/api. Results are replaced whole, never mutated, so they sit in shallowRefs.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { LabErrorData, LabRequest, LibraryEntry, RunDetail, RunSummary } from '../../main/contract/api'
import { getLabApi, labErrorOf } from '../api'

export const useRunsStore = defineStore('runs', () => {
  const runs = shallowRef<RunSummary[]>([])
  const scenarios = shallowRef<LibraryEntry[]>([])
  const selectedId = ref<number>()
  const selected = shallowRef<RunDetail>()
  const loadingRuns = ref(false)
  const loadingRun = ref(false)
  const running = ref(false)
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

  /** Runs a built-in scenario, refreshes the list and selects the new run; returns its id. */
  async function runScenario(request: LabRequest<'runScenario'>): Promise<number | undefined> {
    running.value = true
    error.value = undefined
    try {
      const { runId } = await getLabApi().runScenario(request)
      await refresh()
      await select(runId)
      return runId
    } catch (err) {
      error.value = labErrorOf(err)
      return undefined
    } finally {
      running.value = false
    }
  }

  function clearError(): void {
    error.value = undefined
  }

  return { runs, scenarios, selectedId, selected, loadingRuns, loadingRun, running, error, refresh, loadScenarios, select, runScenario, clearError }
})
