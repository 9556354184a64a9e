/**
 * The writer thread of a streamed save (built as dist/cli/run-writer.js): its own connection to the
 * store, which commits chunks as they come (packing and checksumming flat slices first), one short
 * transaction per message, and writes the run row in one more at the end (TraceStore.beginStreamedRun).
 */
import { parentPort, workerData } from 'node:worker_threads'
import { eventChunks } from '../prepared-run'
import { TraceStore, type StreamedRun } from '../trace-store'
import type { FromWriter, ToWriter, WriterFailure, WriterStart } from './protocol'

const start = workerData as WriterStart
const port = parentPort!
let store: TraceStore | undefined
let run: StreamedRun | undefined
let failed = false
const progress = start.progress ? new Int32Array(start.progress) : undefined

/** Tells a blocked host that a slice is written ([0]) or that no more will be ([1]). */
function signal(index: 0 | 1): void {
  if (!progress) return
  if (index === 0) Atomics.add(progress, 0, 1)
  else Atomics.store(progress, 1, 1)
  Atomics.notify(progress, 0)
}

function failure(e: unknown): WriterFailure {
  const err = e as { name?: string; message?: string; file?: string; code?: string }
  return { name: err?.name ?? 'Error', message: err?.message ?? String(e), file: err?.file, code: typeof err?.code === 'string' ? err.code : undefined }
}

function end(message: FromWriter): void {
  store?.close()
  store = undefined
  start.returns?.close()
  port.postMessage(message)
  port.close()
}

try {
  // The host's handle has just passed its check (StreamedSave.start makes sure): not repeated here.
  store = TraceStore.open(start.path, { ...start.chunking, checkedForWrite: true })
  run = store.beginStreamedRun(start.head)
} catch (e) {
  failed = true
  signal(1)
  end({ type: 'error', error: failure(e) })
}

port.on('message', (message: ToWriter) => {
  if (failed || !run) return
  try {
    if (message.type === 'events') {
      run.append([...eventChunks(message.columns, start.chunking.chunkEvents, message.first, message.no)])
      signal(0)
    } else if (message.type === 'chunks') {
      run.append(message.chunks)
      signal(0)
      // SQLite has copied the bytes (better-sqlite3 binds BLOBs with SQLITE_TRANSIENT): the host may
      // pack into these buffers again.
      if (start.returns) {
        const buffers = message.chunks.map((c) => c.data.buffer as ArrayBuffer)
        start.returns.postMessage(buffers, buffers)
      }
    } else if (message.type === 'finish') {
      end({ type: 'done', runId: run.finish(message.tail) })
    } else {
      run.abort()
      end({ type: 'aborted' })
    }
  } catch (e) {
    // The first failure rolls the run back (StreamedRun does); later messages are ignored.
    failed = true
    signal(1)
    run.abort()
    end({ type: 'error', error: failure(e) })
  }
})
