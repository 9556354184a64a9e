/**
 * A streamed save for a run whose events come from somewhere other than the engine (an imported
 * trace): event slices are committed into the store as they fill, under the id the run reserved, and
 * the run row with its records at the end (TraceStore.beginStreamedRun), so memory holds a slice
 * rather than the run, other writers are not locked out meanwhile, the run is visible only whole, and
 * an abort leaves nothing stored.
 *
 * On a file store with the writer bundle built (the CLI), the writer thread (./host.ts) packs and
 * inserts the slices on the other core; otherwise (tests from source, `:memory:`) this thread does,
 * through TraceStore.beginStreamedRun. Both store the rows a one-go saveRun would.
 */
import type { EventColumns } from '../../sim/events'
import { eventChunks, type PreparedRunHead, type PreparedRunTail } from '../prepared-run'
import type { TraceStore } from '../trace-store'
import { StreamedSave } from './host'

/** Slices posted to the writer thread and not yet written, at most: the reader waits past this. */
const MAX_SLICES_IN_FLIGHT = 4

export interface SliceSave {
  /** Whether the writer thread does the packing and inserts (else this thread). */
  readonly threaded: boolean
  /**
   * Whether send() takes the columns' buffers (transferred to the writer thread): when false it has
   * copied what it needs by the time it returns, and the caller may fill the same columns again.
   */
  readonly takesColumns: boolean
  /** Events [first, first + columns.count); `first` is a multiple of the store's chunk size. */
  send(columns: EventColumns, first: number): void
  finish(tail: PreparedRunTail): Promise<number>
  /** Rolls the run back; safe to call after a failure of send or finish. */
  abort(): Promise<void>
}

export function startSliceSave(store: TraceStore, head: PreparedRunHead, options: { readonly threaded?: boolean } = {}): SliceSave {
  store.assertWritable()
  const { chunkEvents } = store.chunking
  const checkBoundary = (first: number) => {
    if (first % chunkEvents !== 0) throw new RangeError(`event slice at ${first} does not start on a chunk boundary (${chunkEvents} events)`)
  }
  const worker = options.threaded !== false ? StreamedSave.start(store, head, { maxInFlight: MAX_SLICES_IN_FLIGHT }) : undefined
  if (worker) {
    return {
      threaded: true,
      takesColumns: true,
      send: (columns, first) => {
        checkBoundary(first)
        worker.send(columns, first, first / chunkEvents)
      },
      finish: (tail) => worker.finish(tail),
      abort: () => worker.abort(),
    }
  }
  const run = store.beginStreamedRun(head)
  return {
    threaded: false,
    takesColumns: false,
    send: (columns, first) => {
      checkBoundary(first)
      run.append([...eventChunks(columns, chunkEvents, first, first / chunkEvents)])
    },
    finish: async (tail) => run.finish(tail),
    abort: async () => run.abort(),
  }
}
