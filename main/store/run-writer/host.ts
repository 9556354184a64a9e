/**
 * The simulating side of a streamed save: starts the writer thread (./worker.ts) and posts it event
 * slices as the engine fills them, so SQLite writes run on the second core while the engine runs
 * (docs/store.md#streamed-saves). Errors from the writer surface at finish().
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads'
import type { EventColumns } from '../../sim/events'
import type { PreparedEventChunk, PreparedRunHead, PreparedRunTail } from '../prepared-run'
import { StoreError, type StoreErrorCode } from '../store-error'
import type { TraceStore } from '../trace-store'
import type { FromWriter, ToWriter, WriterFailure, WriterStart } from './protocol'

/** The writer bundle next to the CLI entry (dist/cli/run-writer.js), or undefined when not built (tests from source). */
export function writerFile(): string | undefined {
  for (const rel of ['./run-writer.js', '../run-writer.js']) {
    const path = fileURLToPath(new URL(rel, import.meta.url))
    if (existsSync(path)) return path
  }
  return undefined
}

function rebuild(f: WriterFailure): Error {
  if (f.name === 'StoreError' && f.file !== undefined && f.code !== undefined) return new StoreError(f.file, f.code as StoreErrorCode, f.message, f.message)
  const e = new Error(f.message)
  e.name = f.name
  return e
}

/** How long send() waits for a writer that neither writes nor fails before giving up on it. */
const STALLED_WRITER_MS = 120_000

export class StreamedSave {
  private readonly worker: Worker
  private readonly outcome: Promise<FromWriter>
  /** Back-pressure counters shared with the writer (protocol.ts WriterStart.progress), when asked for. */
  private readonly progress: Int32Array | undefined
  /** Where the writer hands back written chunks' buffers, when asked to (start's `returnBuffers`). */
  private readonly returned: MessagePort | undefined
  /** Buffers handed back and not yet packed into again. */
  private readonly free: ArrayBuffer[] = []
  private sent = 0

  private constructor(
    file: string,
    start: WriterStart,
    private readonly maxInFlight: number | undefined,
    returnBuffers: boolean,
  ) {
    this.progress = start.progress ? new Int32Array(start.progress) : undefined
    const channel = returnBuffers ? new MessageChannel() : undefined
    this.returned = channel?.port1
    // Read only with receiveMessageOnPort: it must not keep the process alive on its own.
    this.returned?.unref()
    const data: WriterStart = channel ? { ...start, returns: channel.port2 } : start
    this.worker = new Worker(file, { workerData: data, transferList: channel ? [channel.port2] : [] })
    this.outcome = new Promise<FromWriter>((resolve) => {
      this.worker.once('message', (m: FromWriter) => resolve(m))
      this.worker.once('error', (e) => resolve({ type: 'error', error: { name: e.name, message: e.message } }))
      this.worker.once('exit', (code) => resolve({ type: 'error', error: { name: 'Error', message: `the store writer thread exited (code ${code}) before the run was saved` } }))
    })
  }

  /**
   * A streamed save into `store`'s file, or undefined when the writer bundle is not there (the caller
   * saves in one go). `store` is checked for writing here (a no-op when it already was), so the
   * writer's own connection can skip repeating the check.
   */
  static start(store: TraceStore, head: PreparedRunHead, options: { readonly maxInFlight?: number; readonly returnBuffers?: boolean } = {}): StreamedSave | undefined {
    const file = writerFile()
    if (!file) return undefined
    store.assertWritable()
    // `maxInFlight`: send() blocks while that many slices are posted and not yet written, so a producer
    // faster than SQLite (a trace reader) cannot queue the whole run in the message port.
    const progress = options.maxInFlight !== undefined ? new SharedArrayBuffer(8) : undefined
    return new StreamedSave(file, { path: store.path, chunking: store.chunking, head, progress }, options.maxInFlight, options.returnBuffers === true)
  }

  /**
   * A buffer of at least `bytes` that the writer has handed back after inserting its chunk (started
   * with `returnBuffers`), or undefined: the caller then packs into a new one. Taken without waiting
   * (receiveMessageOnPort), since the engine's thread does not turn its event loop while it runs.
   */
  reusable(bytes: number): ArrayBuffer | undefined {
    const port = this.returned
    if (!port) return undefined
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) for (const b of m.message as ArrayBuffer[]) this.free.push(b)
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i]!.byteLength < bytes) continue
      const [buffer] = this.free.splice(i, 1)
      return buffer
    }
    return undefined
  }

  /** Posts events [first, first + columns.count); `first` is a multiple of the chunk size. */
  send(columns: EventColumns, first: number, no: number): void {
    const transfer = [columns.step, columns.task, columns.kind, columns.level, columns.pfn, columns.before, columns.after, columns.entry, columns.cause].map((c) => c.buffer as ArrayBuffer)
    this.post({ type: 'events', first, no, columns }, transfer)
    this.sent++
    this.waitForRoom()
  }

  /** Posts chunks packed on this thread (their buffers are transferred: the caller must not reuse them). */
  sendChunks(chunks: readonly PreparedEventChunk[]): void {
    if (chunks.length === 0) return
    this.post({ type: 'chunks', chunks }, chunks.map((c) => c.data.buffer as ArrayBuffer))
    this.sent++
    this.waitForRoom()
  }

  /** Blocks (Atomics.wait) until at most maxInFlight slices are unwritten or the writer has failed. */
  private waitForRoom(): void {
    const p = this.progress
    if (!p || this.maxInFlight === undefined) return
    const since = Date.now()
    for (let written = Atomics.load(p, 0); this.sent - written > this.maxInFlight && Atomics.load(p, 1) === 0; written = Atomics.load(p, 0)) {
      // A failed writer sets [1] and its error comes out of finish(); one that hangs is given up on.
      if (Atomics.wait(p, 0, written, 1000) === 'timed-out' && Date.now() - since > STALLED_WRITER_MS) throw new Error(`the store writer thread wrote nothing for ${STALLED_WRITER_MS / 1000} s`)
    }
  }

  async finish(tail: PreparedRunTail): Promise<number> {
    this.post({ type: 'finish', tail })
    const outcome = await this.outcome
    await this.worker.terminate()
    this.dropReturned()
    if (outcome.type === 'done') return outcome.runId
    if (outcome.type === 'error') throw rebuild(outcome.error)
    throw new Error('the store writer rolled the run back')
  }

  /** Rolls the run back and waits for the writer to stop. */
  async abort(): Promise<void> {
    this.post({ type: 'abort' })
    await this.outcome
    await this.worker.terminate()
    this.dropReturned()
  }

  private dropReturned(): void {
    this.returned?.close()
    this.free.length = 0
  }

  private post(message: ToWriter, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer)
  }
}
