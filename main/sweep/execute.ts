/**
 * Runs a sweep's pending combinations and records each as it finishes
 * (docs/adr/0020-precompiled-library-and-sweep-threads.md). The simulations run on tinypool worker
 * threads, a batch of one scenario's combinations per task, each run coming back already encoded,
 * packed and checksummed; this thread only writes: whatever came back since the last write, in one
 * transaction (SessionStore.recordPreparedRuns: each run with its "done" mark), so an interruption at
 * any instant leaves whole runs only. `--jobs 1` (and any sweep where the worker bundle is not built:
 * tests, dev hosts) runs the same batches in this thread, written the same way: the same work, serially.
 */
import { setMaxListeners } from 'node:events'
import type { Scenario } from '../formats/scenario'
import { builtinScenarioByText } from '../library/builtins'
import type { PendingWork, SessionStore } from '../store/sessions/session-store'
import { planBatches, runBatch, type BatchFailure, type BatchOutput, type BatchTask } from './batch'
import type { CombinationOutput } from './combination'
import { startSweepPool, type SweepPool } from './pool'
import { threadCpu, type ThreadCpu } from './thread-cpu'

export { workerFile } from './pool'

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
  /**
   * Workers started ahead (startSweepPool, before planning, so they boot meanwhile); the caller
   * destroys them. Without: jobs > 1 starts a pool for this sweep, jobs 1 runs in this thread.
   */
  readonly pool?: SweepPool
  readonly onProgress?: (p: SweepProgress) => void
  /** Aborting stops scheduling and drops the runs in flight; finished runs stay stored. */
  readonly signal?: AbortSignal
}

/** Where a sweep's CPU went (DAXLAB_SWEEP_STATS); CPU figures are absent where the platform has none. */
export interface SweepStats {
  readonly runs: number
  readonly batches: number
  readonly workers: number
  /** This thread since it started (start-up and planning included), at the end of the sweep. */
  readonly mainCpuMs?: number
  /** ... of which inside executeSweep, and of that, writing runs to the store. */
  readonly mainSweepCpuMs?: number
  readonly writeCpuMs?: number
  /** Time this thread was runnable but waited for a core (the machine's load). */
  readonly mainWaitMs?: number
  /** All workers since they started (boot included), as of their last batch. */
  readonly workerCpuMs?: number
  readonly workerWaitMs?: number
}

export interface ExecuteOutcome {
  readonly done: number
  readonly failed: number
  readonly interrupted: boolean
  readonly stats: SweepStats
}

const round = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms))

export async function executeSweep(opts: ExecuteOptions): Promise<ExecuteOutcome> {
  const { sessions, session, work } = opts
  const cpuAtStart = threadCpu()
  const total = work.length
  let done = 0
  let failed = 0
  const report = () => opts.onProgress?.({ done, failed, total })
  // One signal for everything that stops the sweep: the caller's abort and a failed write. What was
  // cancelled by it is neither run nor marked failed, so --resume picks it up.
  const stop = new AbortController()
  const relayAbort = () => stop.abort()
  if (opts.signal?.aborted) stop.abort()
  opts.signal?.addEventListener('abort', relayAbort, { once: true })

  // Runs that came back since the last write, written together in one transaction (one commit) as
  // soon as the event loop is free: with several workers, several batches often arrive between writes.
  let queued: CombinationOutput[] = []
  let writeError: unknown
  let writeCpuMs = 0
  const flush = () => {
    if (queued.length === 0 || writeError !== undefined) return
    const runs = queued
    queued = []
    const before = threadCpu()
    try {
      sessions.recordPreparedRuns(session, runs)
    } catch (e) {
      // A full disk or a damaged store stops the sweep; the error is rethrown once the workers are down.
      writeError = e
      stop.abort()
      return
    } finally {
      const after = threadCpu()
      if (before && after) writeCpuMs += after.cpuMs - before.cpuMs
    }
    done += runs.length
    report()
  }
  const record = (runs: readonly CombinationOutput[]) => {
    if (runs.length === 0) return
    if (queued.length === 0) setImmediate(flush)
    for (const r of runs) queued.push(r)
  }
  const fail = ({ idx, message }: BatchFailure) => {
    if (writeError !== undefined) return
    try {
      sessions.markFailed(session, idx, message)
    } catch (e) {
      writeError = e
      stop.abort()
      return
    }
    failed++
    report()
  }

  const pool = opts.pool ?? (opts.jobs > 1 ? startSweepPool(opts.jobs) : undefined)
  const workers = new Map<number, ThreadCpu>()
  let batchCount: number
  try {
    const batches = await withScenarios(planBatches(work, pool?.threads ?? 1, sessions.chunking), fail)
    batchCount = batches.length
    report()
    if (pool) await runOnPool(pool, batches, stop.signal, (out) => {
      if (out.worker) workers.set(out.worker.threadId, out.worker.cpu)
      record(out.runs)
      out.failures.forEach(fail)
    }, fail)
    else {
      // The same batches, written as they are on the pool path (one transaction per batch), so
      // --jobs 1 does the same work as --jobs N on one thread: the honest serial baseline.
      for (const task of batches) {
        const finished: CombinationOutput[] = []
        for (const item of task.items) {
          // Yield between runs so a Ctrl-C (a signal event) is seen before the next run starts.
          await new Promise((r) => setImmediate(r))
          if (stop.signal.aborted) break
          const out = runBatch({ ...task, items: [item] }, false)
          finished.push(...out.runs)
          out.failures.forEach(fail)
        }
        // Kept even when stopped halfway through the batch: these runs are finished.
        record(finished)
        if (stop.signal.aborted) break
      }
    }
  } finally {
    opts.signal?.removeEventListener('abort', relayAbort)
    if (pool && !opts.pool) await pool.destroy()
  }
  flush()
  if (writeError !== undefined) throw writeError

  const cpuAtEnd = threadCpu()
  const sum = (pick: (c: ThreadCpu) => number) => (workers.size > 0 ? [...workers.values()].reduce((s, c) => s + pick(c), 0) : undefined)
  const stats: SweepStats = {
    runs: done,
    batches: batchCount,
    workers: pool?.threads ?? 0,
    mainCpuMs: round(cpuAtEnd?.cpuMs),
    mainSweepCpuMs: round(cpuAtStart && cpuAtEnd ? cpuAtEnd.cpuMs - cpuAtStart.cpuMs : undefined),
    writeCpuMs: round(cpuAtEnd ? writeCpuMs : undefined),
    mainWaitMs: round(cpuAtEnd?.waitMs),
    workerCpuMs: round(sum((c) => c.cpuMs)),
    workerWaitMs: round(sum((c) => c.waitMs)),
  }
  return { done, failed, interrupted: opts.signal?.aborted === true, stats }
}

/**
 * Batches of a scenario that is not a built-in carry it parsed (here, once), so workers never load the
 * YAML parser; one whose text does not parse marks its combinations failed with the parser's message.
 * The parser itself is loaded only when such a batch exists: a sweep of built-ins never needs it.
 */
async function withScenarios(batches: readonly BatchTask[], fail: (f: BatchFailure) => void): Promise<BatchTask[]> {
  const parsed = new Map<string, { scenario?: Scenario; error?: string }>()
  let parse: ((text: string, file: string) => Scenario) | undefined
  const out: BatchTask[] = []
  for (const task of batches) {
    if (builtinScenarioByText(task.scenarioText)) {
      out.push(task)
      continue
    }
    let found = parsed.get(task.scenarioText)
    if (!found) {
      parse ??= (await import('../formats/load')).parseScenarioText
      try {
        found = { scenario: parse(task.scenarioText, `${task.scenarioName}.yaml`) }
      } catch (e) {
        found = { error: (e as Error)?.message ?? String(e) }
      }
      parsed.set(task.scenarioText, found)
    }
    if (found.scenario) out.push({ ...task, scenario: found.scenario })
    else for (const item of task.items) fail({ idx: item.idx, message: found.error! })
  }
  return out
}

/** Every batch on the pool; a batch whose worker failed as a whole marks its runs failed (unless stopped). */
async function runOnPool(pool: SweepPool, batches: readonly BatchTask[], signal: AbortSignal, onDone: (out: BatchOutput) => void, fail: (f: BatchFailure) => void): Promise<void> {
  // Every batch listens on this one signal (the default limit of 10 would warn); aborting it drops the
  // queued batches and stops the running ones. (No cancelPendingTasks() beside it: tinypool's own abort
  // listener of a queued task asserts that the task is still queued.)
  setMaxListeners(Infinity, signal)
  await Promise.all(
    batches.map((task) =>
      pool.run(task, signal).then(
        // A batch that finished is kept even when the abort came while it was on its way back.
        onDone,
        (e: unknown) => {
          if (signal.aborted) return
          const message = (e as Error)?.message ?? String(e)
          for (const item of task.items) fail({ idx: item.idx, message })
        },
      ),
    ),
  )
}
