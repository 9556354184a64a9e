/** A ChunkRunner on tinypool worker threads (the sweep's pool library), for `daxlab explore --jobs N`. */
import { setMaxListeners } from 'node:events'
import Tinypool from 'tinypool'
import type { Expansion } from '../explore/expand'
import { workerFile } from '../sweep/pool'
import type { ChunkRunner, ExpandTask } from './levels'

export interface PoolRunner extends ChunkRunner {
  destroy(): Promise<void>
}

export function poolRunner(threads: number): PoolRunner {
  const pool = new Tinypool({ filename: workerFile('explore-worker.js'), minThreads: threads, maxThreads: threads, isolateWorkers: false })
  return {
    threads,
    run(task: ExpandTask, signal: AbortSignal): Promise<Expansion[]> {
      // Every chunk of a level listens on the level's one signal; the default limit of 10 would warn.
      setMaxListeners(Infinity, signal)
      return pool.run(task, { signal }) as Promise<Expansion[]>
    },
    destroy: () => pool.destroy(),
  }
}
