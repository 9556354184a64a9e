/**
 * The trace events of the run being viewed, a page at a time, optionally filtered by kind. Backend
 * calls happen only in actions; an answer for a run or filter that is no longer shown is dropped.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { LabErrorData, TraceEventDto } from '../../main/contract/api'
import { getLabApi, labErrorOf } from '../api'

/** Filters offered in the UI: a label and the event kinds it keeps (undefined: every kind). */
export const EVENT_FILTERS: readonly { readonly label: string; readonly kinds?: readonly string[] }[] = [
  { label: 'all events' },
  { label: 'refcount, mapcount, pincount', kinds: ['refcount', 'mapcount', 'pincount'] },
  { label: 'page-table entries', kinds: ['entry_set', 'entry_clear'] },
  { label: 'waits and wakes', kinds: ['wait', 'wake'] },
  { label: 'pgmap refs', kinds: ['pgmap_refs'] },
  { label: 'folio order, frees, block frees', kinds: ['folio_order', 'folio_free', 'block_free'] },
]

export const EVENTS_PAGE = 500

export const useEventsStore = defineStore('events', () => {
  const runId = ref<number>()
  const filter = ref(0)
  const events = shallowRef<TraceEventDto[]>([])
  const hasMore = ref(false)
  const loading = ref(false)
  const error = ref<LabErrorData>()
  let token = 0

  async function fetchPage(fromSeq: number, append: boolean): Promise<void> {
    if (runId.value === undefined) return
    const mine = ++token
    loading.value = true
    error.value = undefined
    try {
      const kinds = EVENT_FILTERS[filter.value]?.kinds
      const page = await getLabApi().getEvents({ id: runId.value, fromSeq, limit: EVENTS_PAGE, ...(kinds ? { kinds: [...kinds] } : {}) })
      if (mine !== token) return
      events.value = append ? [...events.value, ...page] : page
      hasMore.value = page.length === EVENTS_PAGE
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    } finally {
      if (mine === token) loading.value = false
    }
  }

  /** Shows the first page of run `id` with the current filter. */
  async function show(id: number | undefined): Promise<void> {
    runId.value = id
    events.value = []
    hasMore.value = false
    if (id === undefined) {
      token++
      return
    }
    await fetchPage(0, false)
  }

  async function setFilter(index: number): Promise<void> {
    filter.value = index
    await show(runId.value)
  }

  async function loadMore(): Promise<void> {
    const last = events.value.at(-1)
    if (last) await fetchPage(last.seq + 1, true)
  }

  return { runId, filter, events, hasMore, loading, error, show, setFilter, loadMore }
})
