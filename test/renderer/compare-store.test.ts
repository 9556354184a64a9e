/** The compare store over the real services: pages, the shared cursor and zoom, divergence jumps, run-and-compare. */
import { expect, it } from 'vitest'
import { COMPARE_PAGE, useCompareStore } from '../../renderer/stores/compare'
import { compareRuns } from '../../main/sim/compare'
import { useRealService } from './real-service'
import { probeScenario } from '../fakes/scenarios'

const current = useRealService()


it('opens two runs with the first page, the first divergence and one chart per run on the same folio', async () => {
  const a = (await current().runScenario({ scenario: 'fsdax-truncate-after-munmap', kernel: '6.14' })).runId
  const b = (await current().runScenario({ scenario: 'fsdax-truncate-after-munmap', kernel: '6.17' })).runId
  const store = useCompareStore()
  await store.open([a, b])
  expect(store.head?.runs.map((r) => r.id)).toEqual([a, b])
  expect(store.rowAt(0)?.index).toBe(0)
  expect(store.firstDivergence?.step).toBeGreaterThanOrEqual(0)
  expect(store.series).toHaveLength(2)
  expect(store.series.map((s) => s?.pfn)).toEqual([store.pfn, store.pfn])
  store.jumpToFirstDivergence()
  expect(store.cursor).toBe(store.firstDivergence!.step)
  store.setZoom([1, 3])
  expect(store.zoom).toEqual([1, 3])
})

it('pages rows in as the table scrolls and walks the divergences with next and previous', async () => {
  const a = (await current().runScenario({ scenario: 'long', source: probeScenario(500), kernel: '6.14' })).runId
  const b = (await current().runScenario({ scenario: 'long', source: probeScenario(500), kernel: '6.17' })).runId
  const whole = compareRuns([(await current().getRun({ id: a }))!.result, (await current().getRun({ id: b }))!.result])
  const differing = whole.steps.filter((s) => s.differs.length > 0).map((s) => s.index)
  const store = useCompareStore()
  await store.open([a, b])
  expect(store.pages.size).toBe(1)
  expect(store.rowAt(COMPARE_PAGE * 2)).toBeUndefined()
  await store.ensureRows(COMPARE_PAGE * 2, COMPARE_PAGE * 2 + 3)
  expect(store.rowAt(COMPARE_PAGE * 2)).toEqual(whole.steps[COMPARE_PAGE * 2])
  store.jumpToFirstDivergence()
  await store.jumpDivergence('next')
  expect(store.cursor).toBe(differing[1])
  await store.jumpDivergence('previous')
  expect(store.cursor).toBe(differing[0])
  // No divergence before the first: the cursor stays.
  await store.jumpDivergence('previous')
  expect(store.cursor).toBe(differing[0])
})

it('runs a scenario under 6.14 and 6.17 and opens their comparison; a bad kernel names its field', async () => {
  const store = useCompareStore()
  const ids = await store.runAndCompare({ scenario: 'fsdax-pin-unpin', legs: [{ kernel: '6.14' }, { kernel: '6.17' }] }, 5)
  expect(ids).toHaveLength(2)
  expect(store.head?.runs.map((r) => r.kernel)).toEqual(['6.14', '6.17'])
  expect(store.launching).toBeUndefined()
  expect(await store.runAndCompare({ scenario: 'fsdax-pin-unpin', legs: [{ kernel: '6.14' }, { kernel: 'banana' }] }, 5)).toBeUndefined()
  expect(store.error).toMatchObject({ code: 'invalid_request', field: 'kernel' })
})

it('shows the error of a run that is gone and drops answers for an earlier comparison', async () => {
  const a = (await current().runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14' })).runId
  const b = (await current().runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.17' })).runId
  const store = useCompareStore()
  await store.open([a, 999])
  expect(store.error).toMatchObject({ code: 'not_found', field: 'ids' })
  const first = store.open([a, b])
  const second = store.open([b, a])
  await Promise.all([first, second])
  expect(store.head?.runs.map((r) => r.id)).toEqual([b, a])
  expect(store.error).toBeUndefined()
})

it('cancels "run and compare" through the shared job cancel: the leg in flight stops, nothing is stored or compared', async () => {
  // "Run and compare" runs a library scenario by name: a long one saved as the user's own.
  await current().saveScenario({ text: probeScenario(60_000) })
  const store = useCompareStore()
  const launched = store.runAndCompare({ scenario: 'long', legs: [{ kernel: '6.14' }, { kernel: '6.17' }] }, 1)
  // Cancel once the first leg reports steps done.
  while (!(store.launching && store.launching.progress.done > 0)) await new Promise((r) => setTimeout(r, 2))
  const jobId = store.launching!.progress.jobId
  await store.cancelLaunch()
  expect(await launched).toBeUndefined()
  expect(store.error?.code).toBe('cancelled')
  expect(store.launching).toBeUndefined()
  expect((await current().runProgress({ jobId })).state).toBe('cancelled')
  expect(await current().listRuns(undefined)).toEqual([])
  expect(store.head).toBeUndefined()
})
