/**
 * The sweep's worker threads (tinypool, docs/adr/0008-sessions-and-archives.md). Started before the
 * matrix is planned: each worker loads the bundle (arch plugins, the precompiled library, the engine)
 * while the main thread plans and writes the session's items, so no run waits for a worker to boot.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import Tinypool from 'tinypool'
import type { BatchOutput, BatchTask } from './batch'

/** A worker bundle (the sweep's, the explorer's) sits next to the CLI entry; shared chunks live one folder down (assets/). */
export function workerFile(bundle = 'sweep-worker.js'): string {
  for (const rel of [`./${bundle}`, `../${bundle}`]) {
    const path = fileURLToPath(new URL(rel, import.meta.url))
    if (existsSync(path)) return path
  }
  throw new Error(`the worker bundle (${bundle}) is missing next to the daxlab CLI; rebuild with npm run build:cli`)
}

export interface SweepPool {
  readonly threads: number
  /** Aborting `signal` drops the batch if it is queued and stops its worker if it is running. */
  run(task: BatchTask, signal: AbortSignal): Promise<BatchOutput>
  destroy(): Promise<void>
}

/**
 * Each worker is handed its next batch while it still runs the current one, so it never sits idle
 * waiting for this thread, which may be inside a write transaction when a batch comes back
 * (docs/adr/0025-sweep-parallel-efficiency.md). A worker runs its batches one after the other (they
 * are synchronous), so two in hand is enough; more would leave one worker holding the last batches
 * while the other has none.
 */
const BATCHES_IN_HAND = 2

/** Starts `threads` workers now (they boot while the caller plans); throws when the bundle is missing. */
export function startSweepPool(threads: number): SweepPool {
  const pool = new Tinypool({ filename: workerFile(), minThreads: threads, maxThreads: threads, isolateWorkers: false, concurrentTasksPerWorker: BATCHES_IN_HAND })
  let destroyed: Promise<void> | undefined
  return {
    threads,
    run: (task, signal) => pool.run(task, { signal }) as Promise<BatchOutput>,
    destroy: () => (destroyed ??= pool.destroy()),
  }
}

/** startSweepPool where the worker bundle is built (the CLI, `daxlab serve`); undefined elsewhere (tests, dev hosts). */
export function sweepPoolIfBuilt(threads: number): SweepPool | undefined {
  try {
    workerFile()
  } catch {
    return undefined
  }
  return startSweepPool(threads)
}
