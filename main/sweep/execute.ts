/**
 * Runs a sweep's pending combinations and records each as it finishes. The simulations run on worker
 * threads from tinypool (docs/adr/0008-sessions-and-archives.md); the store stays on this thread: one
 * writer, each run saved together with its "done" mark in one transaction (SessionStore.recordRun), so
 * an interruption at any instant leaves whole runs only. --jobs 1 runs in-process (same function).
 */
import { setMaxListeners } from 'node:events'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Tinypool from 'tinypool'
import type { PendingWork, SessionStore } from '../store/sessions/session-store'
import { runCombination, type CombinationOutput, type CombinationTask } from './combination'

export interface SweepProgress {
  readonly done: number
  readonly failed: number
  readonly total: number
}

export interface ExecuteOptions {
  readonly sessions: SessionStore
  readonly session: string
  readonly work: readonly PendingWork[]
  readonly jobs: number
  readonly onProgress?: (p: SweepProgress) => void
  /** Aborting stops scheduling and drops the runs in flight; finished runs stay stored. */
  readonly signal?: AbortSignal
}

export interface ExecuteOutcome {
  readonly done: number
  readonly failed: number
  readonly interrupted: boolean
}

/** A worker bundle sits next to the CLI entry; shared chunks live one folder down (assets/). */
export function workerFile(bundle = 'sweep-worker.js'): string {
  for (const rel of [`./${bundle}`, `../${bundle}`]) {
    const path = fileURLToPath(new URL(rel, import.meta.url))
    if (existsSync(path)) return path
  }
  throw new Error(`the worker bundle (${bundle}) is missing next to the daxlab CLI; rebuild with npm run build:cli`)
}

export async function executeSweep(opts: ExecuteOptions): Promise<ExecuteOutcome> {
  const { sessions, session, work } = opts
  const total = work.length
  let done = 0
  let failed = 0
  const report = () => opts.onProgress?.({ done, failed, total })
  // Runs that came back since the last write, written together in one transaction (one commit) as
  // soon as the event loop is free: with several workers, several usually arrive between two writes.
  let queued: CombinationOutput[] = []
  const flush = () => {
    if (queued.length === 0) return
    const batch = queued
    queued = []
    sessions.recordPreparedRuns(session, batch)
    done += batch.length
    report()
  }
  // A write that fails (a full disk, a damaged store) stops the sweep; it is rethrown once the pool is down.
  let writeError: unknown
  const flushLater = () => {
    try {
      flush()
    } catch (e) {
      writeError ??= e
      onWriteError()
    }
  }
  let onWriteError = () => {}
  const record = (out: CombinationOutput) => {
    if (queued.push(out) === 1) setImmediate(flushLater)
  }
  const fail = (w: PendingWork, e: unknown) => {
    sessions.markFailed(session, w.idx, (e as Error)?.message ?? String(e))
    failed++
    report()
  }
  const chunking = sessions.chunking
  const taskOf = (w: PendingWork): CombinationTask => ({ work: w, chunking })
  // A failed write stops the sweep like an abort: what was cancelled is neither run nor marked failed.
  const aborted = () => opts.signal?.aborted === true || writeError !== undefined

  report()
  if (opts.jobs <= 1) {
    for (const w of work) {
      // Yield between runs so a Ctrl-C (a signal event) is seen before the next one starts.
      await new Promise((r) => setImmediate(r))
      if (aborted()) break
      let out: CombinationOutput
      try {
        out = runCombination(taskOf(w), false)
      } catch (e) {
        fail(w, e)
        continue
      }
      record(out)
    }
    flush()
    if (writeError !== undefined) throw writeError
    return { done, failed, interrupted: opts.signal?.aborted === true }
  }

  const pool = new Tinypool({ filename: workerFile(), minThreads: opts.jobs, maxThreads: opts.jobs, isolateWorkers: false })
  const stop = new AbortController()
  // Every queued task listens on this one signal; the default limit of 10 would warn.
  setMaxListeners(Infinity, stop.signal)
  const onAbort = () => {
    stop.abort()
    pool.cancelPendingTasks()
  }
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  onWriteError = () => {
    stop.abort()
    pool.cancelPendingTasks()
  }
  try {
    await Promise.all(
      work.map((w) =>
        (pool.run(taskOf(w), { signal: stop.signal }) as Promise<CombinationOutput>).then(
          // A run that finished is kept even when the abort came while it was on its way back.
          (out) => record(out),
          (e: unknown) => {
            if (!aborted()) fail(w, e)
          },
        ),
      ),
    )
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
    await pool.destroy()
  }
  if (writeError !== undefined) throw writeError
  flush()
  return { done, failed, interrupted: opts.signal?.aborted === true }
}
