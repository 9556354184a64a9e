import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LabApi } from '../../main/contract/api'
import { setLabApi } from '../../renderer/api'
import { useRunViewStore } from '../../renderer/stores/run-view'
import { useRunsStore } from '../../renderer/stores/runs'
import { createFakeLabApi, type FakeLabApi } from '../fakes/lab-api'

let api: FakeLabApi

beforeEach(() => {
  setActivePinia(createPinia())
  api = createFakeLabApi()
  setLabApi(api)
})

afterEach(() => setLabApi(undefined))

describe('runs store', () => {
  it('starts empty and calls nothing until an action runs', () => {
    const store = useRunsStore()
    expect(store.runs).toEqual([])
    expect(store.selectedId).toBeUndefined()
    expect(store.error).toBeUndefined()
    expect(api.calls).toEqual([])
  })

  it('loads scenarios and runs', async () => {
    await api.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14' })
    api.calls.length = 0
    const store = useRunsStore()
    await Promise.all([store.loadScenarios(), store.refresh()])
    expect(store.scenarios.map((s) => s.name)).toEqual(['fsdax-pin-unpin', 'fsdax-truncate-hang'])
    expect(store.runs).toHaveLength(1)
    expect(store.loadingRuns).toBe(false)
    expect(api.calls.map((c) => c.method).sort()).toEqual(['listRuns', 'listScenarios'])
  })

  it('runs a scenario, refreshes the list and selects the new run', async () => {
    const store = useRunsStore()
    const id = await store.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14' })
    expect(id).toBe(1)
    expect(store.running).toBe(false)
    expect(store.runs.map((r) => r.id)).toEqual([1])
    expect(store.selectedId).toBe(1)
    const view = useRunViewStore()
    expect(view.header?.summary.id).toBe(1)
    expect(view.stepAt(1)?.probe?.refcount).toBe(1025)
    // The run is opened a screenful at a time, never fetched whole with getRun.
    expect(api.calls.map((c) => c.method)).toEqual(['runScenario', 'listRuns', 'getRunHeader', 'getSteps', 'getFolioSeries', 'getEvents', 'listFolios'])
  })

  it('keeps the error data of a failed call', async () => {
    const store = useRunsStore()
    const id = await store.runScenario({ scenario: 'nope', kernel: '6.14' })
    expect(id).toBeUndefined()
    expect(store.error).toEqual({ code: 'not_found', field: 'scenario', message: "no built-in scenario 'nope'" })
    store.clearError()
    expect(store.error).toBeUndefined()
  })

  it('falls back to the message when an error arrives without data (Electron context bridge)', async () => {
    setLabApi({ ...api, listRuns: () => Promise.reject(new Error('listRuns: refused')) } as LabApi)
    const store = useRunsStore()
    await store.refresh()
    expect(store.error).toEqual({ code: 'failed', message: 'listRuns: refused' })
    expect(store.loadingRuns).toBe(false)
  })

  it('reports a run that is gone', async () => {
    const store = useRunsStore()
    await store.select(42)
    expect(useRunViewStore().header).toBeUndefined()
    expect(store.error?.code).toBe('not_found')
  })

  it('lets only the latest selection land', async () => {
    await api.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14' })
    await api.runScenario({ scenario: 'fsdax-truncate-hang', kernel: '6.17' })
    let releaseFirst!: () => void
    const gate = new Promise<void>((resolve) => (releaseFirst = resolve))
    const slow: LabApi = {
      ...api,
      getRunHeader: async (request) => {
        if (request.id === 1) await gate
        return api.getRunHeader(request)
      },
    }
    setLabApi(slow)
    const store = useRunsStore()
    const first = store.select(1)
    await store.select(2)
    releaseFirst()
    await first
    expect(store.selectedId).toBe(2)
    const view = useRunViewStore()
    expect(view.header?.summary.scenario).toBe('fsdax-truncate-hang')
    expect(view.loading).toBe(false)
  })

  it('drops a cancel answer that arrives after the run has ended', async () => {
    let releaseCancel!: () => void
    const gate = new Promise<void>((resolve) => (releaseCancel = resolve))
    setLabApi({
      ...api,
      cancelRun: async (request) => {
        await gate
        return { jobId: request.jobId, state: 'done', done: 2, total: 2 }
      },
    } as LabApi)
    const store = useRunsStore()
    const run = store.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14' })
    const cancel = store.cancelRun()
    await run
    releaseCancel()
    await cancel
    expect(store.running).toBe(false)
    expect(store.progress).toBeUndefined()
  })
})
