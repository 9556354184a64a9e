/** The run-view store over the real services: a run opens a screenful at a time and pages in steps as the list scrolls. */
import { expect, it } from 'vitest'
import type { LabApi } from '../../main/contract/api'
import { setLabApi } from '../../renderer/api'
import { STEPS_PAGE, useRunViewStore } from '../../renderer/stores/run-view'
import { useRealService } from './real-service'
import { probeScenario } from '../fakes/scenarios'

const current = useRealService()


it('opens a run with its header, the first page of steps and a chart, and pages in the rest on demand', async () => {
  const { runId } = await current().runScenario({ scenario: 'long', source: probeScenario(700), kernel: '6.17' })
  const store = useRunViewStore()
  await store.open(runId)
  expect(store.header?.summary.steps).toBe(702)
  expect(store.stepTotal).toBe(702)
  expect(store.stepPages.size).toBe(1)
  expect(store.stepAt(0)?.op).toBe('create')
  expect(store.stepAt(0)?.args).toEqual({ file: '/mnt/pmem0/a', length: '1MiB' })
  expect(store.stepAt(STEPS_PAGE * 3)).toBeUndefined()
  await store.ensureSteps(STEPS_PAGE * 3 - 2, STEPS_PAGE * 3 + 2)
  expect(store.stepPages.size).toBe(3)
  expect(store.stepAt(STEPS_PAGE * 3)?.index).toBe(STEPS_PAGE * 3)
  expect(store.stepAt(STEPS_PAGE * 3)?.op).toBe('probe')
})

it('charts the suggested folio and switches folios', async () => {
  const { runId } = await current().runScenario({ scenario: 'fsdax-truncate-while-pinned', kernel: '6.14' })
  const store = useRunViewStore()
  await store.open(runId)
  expect(store.series?.pfn).toBe(store.pfn)
  expect(store.folios.length).toBeGreaterThan(0)
  const other = store.folios.at(-1)!.pfn
  await store.chartFolio(other)
  expect(store.series?.pfn).toBe(other)
  expect(store.pfn).toBe(other)
})

it('keeps only the latest run when answers arrive out of order', async () => {
  const a = (await current().runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14' })).runId
  const b = (await current().runScenario({ scenario: 'fsdax-read-fault', kernel: '6.17' })).runId
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const slow: LabApi = {
    ...current(),
    getRunHeader: async (request) => {
      if (request.id === a) await gate
      return current().getRunHeader(request)
    },
  }
  setLabApi(slow)
  const store = useRunViewStore()
  const first = store.open(a)
  await store.open(b)
  release()
  await first
  expect(store.runId).toBe(b)
  expect(store.header?.summary.scenario).toBe('fsdax-read-fault')
  expect(store.loading).toBe(false)
})
