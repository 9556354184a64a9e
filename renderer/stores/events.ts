/**
 * The trace events of the run being viewed, for a virtualised list. Two ways to hold them, so the page
 * never holds a whole large run:
 * - unfiltered, row i is event seq i: the list asks for the pages it scrolls to (random access, any
 *   run size, only visited pages kept, at most KEEP_PAGES of them);
 * - filtered (by kind, step, task or pfn), matches are appended as the list scrolls to its end, up to
 *   FILTERED_CAP rows; past that the user narrows the filter.
 * Backend calls happen only in actions; an answer for a run or filter no longer shown is dropped.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef } from 'vue'
import type { LabErrorData, LabRequest, TraceEventDto } from '../../main/contract/api'
import { getLabApi, labErrorOf } from '../api'
import { fetchMissingPages } from './page-fetch'

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
/**
 * Rows the unfiltered list spans at once. A list of 24 px rows taller than this would pass the
 * browser's limit on an element's height (about 33.5 million px in Chromium), so a run with more
 * events is shown as a window of this many, moved with setWindowStart().
 */
export const WINDOW_ROWS = 1_000_000
export const FILTERED_CAP = 20_000
const KEEP_PAGES = 64

export interface EventFilterFields {
  readonly step?: number
  readonly task?: string
  readonly pfn?: string
}

export const useEventsStore = defineStore('events', () => {
  const runId = ref<number>()
  /** Events in the run (for the unfiltered list's length). */
  const runEvents = ref(0)
  const filter = ref(0)
  const fields = shallowRef<EventFilterFields>({})
  /** Filtered mode: the matches so far. */
  const events = shallowRef<TraceEventDto[]>([])
  const hasMore = ref(false)
  /** Unfiltered mode: pages by page number. */
  const pages = shallowRef(new Map<number, readonly TraceEventDto[]>())
  const loading = ref(false)
  const error = ref<LabErrorData>()
  let token = 0
  const pending = new Set<number>()

  /** Unfiltered mode: the seq of row 0 (0 unless the run has more than WINDOW_ROWS events). */
  const windowStart = ref(0)
  const filtered = computed(() => filter.value !== 0 || fields.value.step !== undefined || fields.value.task !== undefined || fields.value.pfn !== undefined)
  /** Rows the list has: every event, or the matches so far. */
  const rowCount = computed(() => (filtered.value ? events.value.length : Math.max(0, Math.min(runEvents.value - windowStart.value, WINDOW_ROWS))))
  const capped = computed(() => filtered.value && events.value.length >= FILTERED_CAP)

  function request(fromSeq: number): LabRequest<'getEvents'> {
    const kinds = EVENT_FILTERS[filter.value]?.kinds
    const f = fields.value
    return {
      id: runId.value!,
      fromSeq,
      limit: EVENTS_PAGE,
      ...(kinds ? { kinds: [...kinds] } : {}),
      ...(f.step !== undefined ? { step: f.step } : {}),
      ...(f.task !== undefined ? { task: f.task } : {}),
      ...(f.pfn !== undefined ? { pfn: f.pfn } : {}),
    }
  }

  async function loadFiltered(fromSeq: number): Promise<void> {
    const mine = ++token
    loading.value = true
    error.value = undefined
    try {
      const page = await getLabApi().getEvents(request(fromSeq))
      if (mine !== token) return
      events.value = fromSeq === 0 ? page : [...events.value, ...page].slice(0, FILTERED_CAP)
      hasMore.value = page.length === EVENTS_PAGE && events.value.length < FILTERED_CAP
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    } finally {
      if (mine === token) loading.value = false
    }
  }

  /**
   * Shows run `id` (with `total` events) from the top with the current filter. `firstPage`, when the
   * caller already fetched events from seq 0 unfiltered (the run view does, with the rest of the first
   * screen), is used instead of asking again.
   */
  async function show(id: number | undefined, total = 0, firstPage?: readonly TraceEventDto[]): Promise<void> {
    token++
    runId.value = id
    runEvents.value = total
    windowStart.value = 0
    events.value = []
    hasMore.value = false
    pages.value = new Map()
    pending.clear()
    error.value = undefined
    if (id === undefined) return
    if (filtered.value) await loadFiltered(0)
    else if (firstPage) {
      pages.value = new Map([[0, firstPage]])
    } else await ensureRows(0, EVENTS_PAGE - 1)
  }

  /** Row i of the list (unfiltered: seq windowStart + i) once its page is loaded. */
  function eventAt(index: number): TraceEventDto | undefined {
    if (filtered.value) return events.value[index]
    const seq = windowStart.value + index
    return pages.value.get(Math.floor(seq / EVENTS_PAGE))?.[seq % EVENTS_PAGE]
  }

  /** Unfiltered mode: row 0 becomes event `seq` (rounded down to a page), for runs past WINDOW_ROWS. */
  /** The event a link pointed at (a trace finding): its row is marked and scrolled into view. */
  const focusedSeq = ref<number>()

  /** Puts event `seq` in the window and marks it (unfiltered mode). */
  async function focusEvent(seq: number): Promise<void> {
    focusedSeq.value = seq
    await setWindowStart(seq)
  }

  async function setWindowStart(seq: number): Promise<void> {
    const last = Math.max(0, runEvents.value - 1)
    windowStart.value = Math.floor(Math.min(Math.max(0, seq), last) / EVENTS_PAGE) * EVENTS_PAGE
    await ensureRows(0, EVENTS_PAGE - 1)
  }

  /** Makes rows [first, last] available: fetches their pages, or the next matches when filtered. */
  async function ensureRows(first: number, last: number): Promise<void> {
    if (runId.value === undefined) return
    if (filtered.value) {
      if (last >= events.value.length - 1 && hasMore.value && !loading.value) await loadFiltered(events.value.at(-1)!.seq + 1)
      return
    }
    const mine = token
    await fetchMissingPages({
      first: windowStart.value + first,
      last: windowStart.value + last,
      pageSize: EVENTS_PAGE,
      total: runEvents.value,
      has: (p) => pages.value.has(p),
      pending,
      load: async (p) => {
        try {
          const page = await getLabApi().getEvents(request(p * EVENTS_PAGE))
          if (mine !== token) return
          const map = pages.value
          map.set(p, page)
          // Forget the pages farthest from this one: scrolling a long run keeps memory flat.
          if (map.size > KEEP_PAGES) {
            const far = [...map.keys()].sort((a, b) => Math.abs(b - p) - Math.abs(a - p)).slice(0, map.size - KEEP_PAGES)
            for (const k of far) map.delete(k)
          }
          triggerRef(pages)
        } catch (err) {
          if (mine === token) error.value = labErrorOf(err)
        }
      },
    })
  }

  async function setFilter(index: number): Promise<void> {
    filter.value = index
    await show(runId.value, runEvents.value)
  }

  async function setFields(next: EventFilterFields): Promise<void> {
    fields.value = next
    await show(runId.value, runEvents.value)
  }

  /** Filtered mode: the next page of matches (the list also does this when scrolled to its end). */
  async function loadMore(): Promise<void> {
    const last = events.value.at(-1)
    if (last && hasMore.value) await loadFiltered(last.seq + 1)
  }

  return {
    focusedSeq,
    focusEvent, runId, runEvents, filter, fields, events, hasMore, pages, windowStart, loading, error, filtered, rowCount, capped, show, eventAt, ensureRows, setWindowStart, setFilter, setFields, loadMore }
})
