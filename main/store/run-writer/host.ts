/**
 * The simulating side of a streamed save: starts the writer thread (./worker.ts) and posts it event
 * slices as the engine fills them, so SQLite writes run on the second core while the engine runs
 * (docs/store.md#streamed-saves). Errors from the writer surface at finish().
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { EventColumns } from '../../sim/events'
import type { PreparedRunHead, PreparedRunTail } from '../prepared-run'
import { StoreError, type StoreErrorCode } from '../store-error'
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

export class StreamedSave {
  private readonly worker: Worker
  private readonly outcome: Promise<FromWriter>

  private constructor(file: string, start: WriterStart) {
    this.worker = new Worker(file, { workerData: start })
    this.outcome = new Promise<FromWriter>((resolve) => {
      this.worker.once('message', (m: FromWriter) => resolve(m))
      this.worker.once('error', (e) => resolve({ type: 'error', error: { name: e.name, message: e.message } }))
      this.worker.once('exit', (code) => resolve({ type: 'error', error: { name: 'Error', message: `the store writer thread exited (code ${code}) before the run was saved` } }))
    })
  }

  /** A streamed save, or undefined when the writer bundle is not there (the caller saves in one go). */
  static start(path: string, chunking: WriterStart['chunking'], head: PreparedRunHead): StreamedSave | undefined {
    const file = writerFile()
    return file ? new StreamedSave(file, { path, chunking, head }) : undefined
  }

  /** Posts events [first, first + columns.count); `first` is a multiple of the chunk size. */
  send(columns: EventColumns, first: number, no: number): void {
    const transfer = [columns.step, columns.task, columns.kind, columns.level, columns.pfn, columns.before, columns.after, columns.entry, columns.cause].map((c) => c.buffer as ArrayBuffer)
    this.post({ type: 'events', first, no, columns }, transfer)
  }

  async finish(tail: PreparedRunTail): Promise<number> {
    this.post({ type: 'finish', tail })
    const outcome = await this.outcome
    await this.worker.terminate()
    if (outcome.type === 'done') return outcome.runId
    if (outcome.type === 'error') throw rebuild(outcome.error)
    throw new Error('the store writer rolled the run back')
  }

  /** Rolls the run back and waits for the writer to stop. */
  async abort(): Promise<void> {
    this.post({ type: 'abort' })
    await this.outcome
    await this.worker.terminate()
  }

  private post(message: ToWriter, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer)
  }
}
