/** The events store over the real services: unfiltered rows by seq, filtered matches appended, stale answers dropped. */
import { expect, it } from 'vitest'
import { setLabApi } from '../../renderer/api'
import { EVENT_FILTERS, EVENTS_PAGE, WINDOW_ROWS, useEventsStore } from '../../renderer/stores/events'
import { createFakeLabApi } from '../fakes/lab-api'
import { useRealService } from './real-service'

const current = useRealService()

/** A run with more than two pages of events: many pins and unpins of one page. */
async function bigRun(): Promise<{ id: number; events: number }> {
  const steps = ['  - create: {file: /mnt/pmem0/a, length: 64KiB}', '  - mmap: {id: m, file: /mnt/pmem0/a, length: 64KiB}', '  - access: {map: m, offset: 0}', '  - fork: {child: t1}', '  - fork: {child: t2}']
  const task = (i: number) => ['main', 't1', 't2'][i % 3]
  for (let i = 0; i < 1500; i++) steps.push(`  - gup: {id: g${i}, map: m, offset: 0, pin: true, task: ${task(i)}}`, `  - unpin: {gup: g${i}, task: ${task(i)}}`)
  const source = `name: pins\ndescription: many pins\nprofile: x86-pmem-fsdax\nsteps:\n${steps.join('\n')}\n`
  const { runId } = await current().runScenario({ scenario: 'pins', source, kernel: '6.17' })
  const summary = (await current().getRunHeader({ id: runId }))!.summary
  return { id: runId, events: summary.events }
}

it('unfiltered: row i is event seq i, fetched by the page it falls in', async () => {
  const { id, events } = await bigRun()
  expect(events).toBeGreaterThan(2 * EVENTS_PAGE)
  const store = useEventsStore()
  await store.show(id, events)
  expect(store.filtered).toBe(false)
  expect(store.rowCount).toBe(events)
  expect(store.eventAt(0)?.seq).toBe(0)
  expect(store.eventAt(EVENTS_PAGE + 3)).toBeUndefined()
  await store.ensureRows(EVENTS_PAGE * 2 + 10, EVENTS_PAGE * 2 + 40)
  expect(store.eventAt(EVENTS_PAGE * 2 + 10)?.seq).toBe(EVENTS_PAGE * 2 + 10)
  expect(store.pages.size).toBe(2)
})

it('filtered by kind and task: matches arrive in order as the list reaches its end', async () => {
  const { id, events } = await bigRun()
  const store = useEventsStore()
  await store.show(id, events)
  const counts = EVENT_FILTERS.findIndex((f) => f.label === 'refcount, mapcount, pincount')
  await store.setFilter(counts)
  await store.setFields({ task: 't1' })
  expect(store.filtered).toBe(true)
  const first = store.rowCount
  expect(first).toBe(EVENTS_PAGE)
  expect(store.hasMore).toBe(true)
  await store.ensureRows(0, first - 1)
  expect(store.rowCount).toBeGreaterThan(first)
  const rows = Array.from({ length: store.rowCount }, (_, i) => store.eventAt(i)!)
  expect(rows.every((e) => e.task === 't1' && ['refcount', 'mapcount', 'pincount'].includes(e.kind))).toBe(true)
  expect(rows.map((e) => e.seq)).toEqual([...rows.map((e) => e.seq)].sort((a, b) => a - b))
  await store.setFields({ task: 'nobody' })
  expect(store.rowCount).toBe(0)
})

it('drops an answer for a run that is no longer shown', async () => {
  setLabApi(createFakeLabApi())
  const store = useEventsStore()
  const first = store.show(1, 1)
  await store.show(undefined)
  await first
  expect(store.eventAt(0)).toBeUndefined()
  expect(store.runId).toBeUndefined()
})

it('shows a run with more events than WINDOW_ROWS as a window that can be moved', async () => {
  // A fake backend that answers any page of a 2.5M-event run: seq is all the list needs.
  const pages: number[] = []
  setLabApi({
    ...createFakeLabApi(),
    getEvents: async (request) => {
      pages.push(request.fromSeq ?? 0)
      const from = request.fromSeq ?? 0
      return Array.from({ length: Math.min(request.limit ?? 500, 2_500_000 - from) }, (_, i) => ({ seq: from + i, step: 0, task: 'main', kind: 'refcount', level: 'none', pfn: '0x1', before: 0, after: 1, cause: 'x' }))
    },
  })
  const store = useEventsStore()
  await store.show(1, 2_500_000)
  expect(store.rowCount).toBe(WINDOW_ROWS)
  expect(store.eventAt(0)?.seq).toBe(0)
  await store.setWindowStart(2_200_123)
  expect(store.windowStart).toBe(2_200_000)
  expect(store.rowCount).toBe(300_000)
  expect(store.eventAt(0)?.seq).toBe(2_200_000)
  await store.ensureRows(299_990, 299_999)
  expect(store.eventAt(299_999)?.seq).toBe(2_499_999)
  expect(pages).toEqual([0, 2_200_000, 2_499_500])
})
