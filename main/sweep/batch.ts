/**
 * A sweep's unit of work on a pool worker: several combinations of one scenario (same source text and
 * profile), so a task carries the scenario once and only (idx, kernel, arch, variant) per run, and the
 * per-task costs of the pool (posting, the worker's reply, tinypool's per-task memory probe) are paid
 * per batch, not per run (docs/adr/0020-precompiled-library-and-sweep-threads.md).
 */
import type { Profile } from '../formats/profile'
import type { Scenario } from '../formats/scenario'
import type { PendingWork } from '../store/sessions/session-store'
import { runCombination, type Chunking, type CombinationOutput } from './combination'
import type { ThreadCpu } from './thread-cpu'

export interface BatchItem {
  readonly idx: number
  readonly kernel: string
  readonly arch: string
  readonly variant: string
}

export interface BatchTask {
  readonly scenarioName: string
  readonly scenarioText: string
  readonly profile: Profile
  readonly items: readonly BatchItem[]
  readonly chunking: Chunking
  /** Parsed on the main thread when the text is not a built-in's (see CombinationTask.scenario). */
  readonly scenario?: Scenario
}

export interface BatchFailure {
  readonly idx: number
  readonly message: string
}

export interface BatchOutput {
  readonly runs: CombinationOutput[]
  readonly failures: BatchFailure[]
  /** The worker thread's CPU so far (cumulative since it started), when the platform reports it. */
  readonly worker?: { readonly threadId: number; readonly cpu: ThreadCpu }
}

/** Most runs in one batch: small enough that the last batches still spread over the workers. */
export const MAX_BATCH = 16

/**
 * Consecutive pending work of one scenario and profile, cut into batches of at most `size` runs,
 * where `size` leaves each thread about eight batches (so a slow one at the end costs little).
 */
export function planBatches(work: readonly PendingWork[], threads: number, chunking: Chunking): BatchTask[] {
  const size = Math.max(1, Math.min(MAX_BATCH, Math.ceil(work.length / (Math.max(1, threads) * 8))))
  const out: BatchTask[] = []
  let current: { task: BatchTask; items: BatchItem[]; profileKey: string } | undefined
  for (const w of work) {
    const profileKey = JSON.stringify(w.profile)
    if (!current || current.items.length >= size || current.task.scenarioText !== w.scenarioText || current.task.scenarioName !== w.scenarioName || current.profileKey !== profileKey) {
      const items: BatchItem[] = []
      current = { task: { scenarioName: w.scenarioName, scenarioText: w.scenarioText, profile: w.profile, items, chunking }, items, profileKey }
      out.push(current.task)
    }
    current.items.push({ idx: w.idx, kernel: w.kernel, arch: w.arch, variant: w.variant })
  }
  return out
}

/** The pending work a batch item stands for. */
export function workOf(task: BatchTask, item: BatchItem): PendingWork {
  return { idx: item.idx, scenarioName: task.scenarioName, scenarioText: task.scenarioText, profile: task.profile, kernel: item.kernel, arch: item.arch, variant: item.variant }
}

/** Runs every combination of a batch; one that throws is reported as a failure, the others still run. */
export function runBatch(task: BatchTask, packEventsNow: boolean): Omit<BatchOutput, 'worker'> {
  const runs: CombinationOutput[] = []
  const failures: BatchFailure[] = []
  for (const item of task.items) {
    try {
      runs.push(runCombination({ work: workOf(task, item), chunking: task.chunking, scenario: task.scenario }, packEventsNow))
    } catch (e) {
      failures.push({ idx: item.idx, message: (e as Error)?.message ?? String(e) })
    }
  }
  return { runs, failures }
}
