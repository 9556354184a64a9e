/**
 * CPU time of the calling thread (the main thread or a worker), for the sweep's CPU breakdown
 * (DAXLAB_SWEEP_STATS, docs/sessions.md). Wall time means little on a loaded machine; this is the time
 * the scheduler ran this thread. Node 20 has no per-thread cpuUsage, so Linux's schedstat is read:
 * "<ns on CPU> <ns waiting for a CPU> <timeslices>" (Documentation/scheduler/sched-stats.rst).
 * Elsewhere (no /proc) the figures are absent, never guessed.
 */
import { readFileSync } from 'node:fs'

export interface ThreadCpu {
  /** Milliseconds this thread ran. */
  readonly cpuMs: number
  /** Milliseconds it was runnable but waited for a core (other threads and processes held them). */
  readonly waitMs: number
}

export function threadCpu(): ThreadCpu | undefined {
  try {
    const [run, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number)
    if (!Number.isFinite(run) || !Number.isFinite(wait)) return undefined
    return { cpuMs: run! / 1e6, waitMs: wait! / 1e6 }
  } catch {
    return undefined
  }
}
