import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { setLabApi } from '../../renderer/api'
import { EVENT_FILTERS, EVENTS_PAGE, useEventsStore } from '../../renderer/stores/events'
import { createFakeLabApi, type FakeLabApi } from '../fakes/lab-api'

let api: FakeLabApi

beforeEach(() => {
  setActivePinia(createPinia())
  api = createFakeLabApi()
  setLabApi(api)
})

afterEach(() => setLabApi(undefined))

it('loads the first page of a run and passes the filter kinds', async () => {
  const store = useEventsStore()
  await store.show(7)
  expect(store.events).toHaveLength(1)
  expect(store.hasMore).toBe(false)
  expect(api.calls.at(-1)).toEqual({ method: 'getEvents', request: { id: 7, fromSeq: 0, limit: EVENTS_PAGE } })
  const waits = EVENT_FILTERS.findIndex((f) => f.label === 'waits and wakes')
  await store.setFilter(waits)
  expect(api.calls.at(-1)).toEqual({ method: 'getEvents', request: { id: 7, fromSeq: 0, limit: EVENTS_PAGE, kinds: ['wait', 'wake'] } })
})

it('drops an answer for a run that is no longer shown', async () => {
  const store = useEventsStore()
  const first = store.show(1)
  await store.show(undefined)
  await first
  expect(store.events).toEqual([])
  expect(store.runId).toBeUndefined()
})
