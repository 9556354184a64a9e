/**
 * Runs in flight, by the caller's job id: progress to poll and a cancel flag. A run advances in slices
 * and yields to the event loop between them, so while the engine works the host process still answers
 * runProgress and cancelRun (and every other call). The last KEEP_FINISHED finished jobs stay for a
 * last poll.
 */
import type { RunProgress } from '../contract/api'

/**
 * What an exploration reports beyond done/total (schedule executions of the bound), for exploreProgress.
 * It lives on the job so the explorer keeps no second table of its own that could disagree with this one.
 */
export interface ExploreJobDetail {
  readonly kind: 'explore'
  /** Breadth-first depth reached (atomic steps). */
  depth: number
  /** Distinct states reached. */
  states: number
  /** When the search started and ended (ms since the epoch): its elapsed time and rate. */
  readonly started: number
  ended?: number
}

/** The extra progress of the kinds of job that have one (a union, so each kind is told apart by `kind`). */
export type JobDetail = ExploreJobDetail

export interface Job {
  readonly id: string
  state: RunProgress['state']
  done: number
  total: number
  cancelRequested: boolean
  detail?: JobDetail
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

  /** The job itself, for a service whose progress view reads its detail; undefined once trimmed. */
  get(id: string): Job | undefined {
    return this.jobs.get(id)
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
