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

/** Starts `threads` workers now (they boot while the caller plans); throws when the bundle is missing. */
export function startSweepPool(threads: number): SweepPool {
  const pool = new Tinypool({ filename: workerFile(), minThreads: threads, maxThreads: threads, isolateWorkers: false })
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
