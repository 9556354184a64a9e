/**
 * Messages between a streamed save's host (the thread that simulates) and its writer thread. Events
 * travel as column slices that start on a chunk boundary, so the writer packs exactly the chunks a
 * whole-run saveRun would.
 */
import type { MessagePort } from 'node:worker_threads'
import type { EventColumns } from '../../sim/events'
import type { PreparedEventChunk, PreparedRunHead, PreparedRunTail } from '../prepared-run'

export interface WriterStart {
  readonly path: string
  readonly chunking: { readonly chunkEvents: number; readonly chunkRecords: number }
  readonly head: PreparedRunHead
  /**
   * Optional back-pressure (an imported trace: its reader can outrun the writer): an Int32Array over
   * this buffer, [0] = events messages written, [1] = 1 once the writer failed. The writer bumps and
   * notifies them; the host blocks on [0] while too many slices are in flight (./host.ts).
   */
  readonly progress?: SharedArrayBuffer
  /**
   * Optional: where the writer hands back the buffers of the chunks it has inserted (each message an
   * ArrayBuffer[], transferred), so the host packs its next chunks into memory that is already
   * faulted in rather than new buffers (./host.ts StreamedSave.reusable).
   */
  readonly returns?: MessagePort
}

export type ToWriter =
  | { readonly type: 'events'; readonly first: number; readonly no: number; readonly columns: EventColumns }
  /** Chunks the host packed itself (the engine's log packs straight into chunk buffers): only inserted here. */
  | { readonly type: 'chunks'; readonly chunks: readonly PreparedEventChunk[] }
  | { readonly type: 'finish'; readonly tail: PreparedRunTail }
  | { readonly type: 'abort' }

/** An error as it crosses the thread boundary: enough to rebuild a StoreError with its code. */
export interface WriterFailure {
  readonly name: string
  readonly message: string
  readonly file?: string
  readonly code?: string
}

export type FromWriter =
  | { readonly type: 'done'; readonly runId: number }
  | { readonly type: 'aborted' }
  | { readonly type: 'error'; readonly error: WriterFailure }
