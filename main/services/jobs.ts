/**
 * Runs in flight, by the caller's job id: progress to poll and a cancel flag. A run advances in slices
 * and yields to the event loop between them, so while the engine works the host process still answers
 * runProgress and cancelRun (and every other call). The last KEEP_FINISHED finished jobs stay for a
 * last poll.
 */
import type { RunProgress } from '../contract/api'

export interface Job {
  readonly id: string
  state: RunProgress['state']
  done: number
  total: number
  cancelRequested: boolean
}

const KEEP_FINISHED = 64

export class JobTable {
  private readonly jobs = new Map<string, Job>()

  start(id: string): Job {
    const job: Job = { id, state: 'running', done: 0, total: 0, cancelRequested: false }
    this.jobs.delete(id)
    this.jobs.set(id, job)
    this.trim()
    return job
  }

  progress(id: string): RunProgress {
    const job = this.jobs.get(id)
    if (!job) return { jobId: id, state: 'unknown', done: 0, total: 0 }
    return { jobId: id, state: job.state, done: job.done, total: job.total }
  }

  cancel(id: string): RunProgress {
    const job = this.jobs.get(id)
    if (job && (job.state === 'running' || job.state === 'saving')) job.cancelRequested = true
    return this.progress(id)
  }

  private trim(): void {
    const finished = [...this.jobs.values()].filter((j) => j.state !== 'running' && j.state !== 'saving')
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(job.id)
  }
}

/** Lets other messages in: the host's event loop runs before the next slice. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
