/**
 * `daxlab sweep`: checks --jobs and starts the workers before anything heavy is loaded, so they boot
 * (each loads the engine) while this thread loads the store and the library and plans the matrix
 * (docs/adr/0025-sweep-parallel-efficiency.md). The sweep itself is in ./sweep-session.ts.
 */
import { availableParallelism } from 'node:os'
import { startSweepPool } from '../../sweep/pool'
import type { SweepOptions } from '../commands/sweep'
import { UsageError } from '../usage-error'

export async function sweep(opts: SweepOptions): Promise<void> {
  const jobs = parseJobs(opts.jobs)
  // --jobs 1 runs the same batches in this thread (main/sweep/execute.ts): the same work, serially.
  const pool = jobs > 1 ? startSweepPool(jobs) : undefined
  try {
    const { sweepWith } = await import('./sweep-session')
    await sweepWith(opts, jobs, pool)
  } finally {
    await pool?.destroy()
  }
}

function parseJobs(text: string | undefined): number {
  if (text === undefined) return availableParallelism()
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--jobs: '${text}' is not a whole number from 1 to 256`)
  return n
}
