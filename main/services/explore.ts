/**
 * The Explore view's backend (docs/explore.md#in-the-app): the interleaving explorer of main/explore run
 * as a job. The search is pure and advances in slices of a few schedule executions; between slices the
 * host's event loop runs, so while it works the same process answers exploreProgress, cancelRun and
 * every other call (the Electron utility process or the web bridge's server; never the Electron main
 * thread or the page). Cancel and the time limit stop the search with what was found: the answer is
 * then marked `complete: false` with the reason in `cut`, as Ctrl-C does for `daxlab explore`.
 *
 * The answer is Explorer.result(), the object `daxlab explore --json` prints (without the CLI's `jobs`).
 */
import type { LabRequest } from '../contract/api'
import { LabError } from '../contract/envelope'
import { DEFAULT_EXPLORE_SCHEDULES, type ExploreProgressView } from '../contract/explore'
import { Explorer, type ExploreResult } from '../explore/search'
import { ModelError } from '../sim/errors'
import { yieldToEventLoop, type ExploreJobDetail, type JobTable } from './jobs'
import type { ProfileLibrary } from './profiles'
import { checkRunOptions, loadScenario } from './scenario-input'

/** Schedule executions per slice (each a replay of a few ms): a poll waits at most a slice. */
const SLICE = 4

export function createExploreService(library: ProfileLibrary, jobs: JobTable, timeLimitMs: number) {
  let anonymous = 0

  return {
    async exploreScenario(request: LabRequest<'exploreScenario'>): Promise<ExploreResult> {
      const loaded = loadScenario(library, request)
      const profile = loaded.profile()
      checkRunOptions(request, profile)
      if (!loaded.scenario.concurrent) {
        throw new LabError({ code: 'invalid_request', field: request.source !== undefined ? 'source' : 'scenario', message: `scenario '${loaded.scenario.name}' has no concurrent: block; there is nothing to interleave` })
      }
      const maxSchedules = request.maxSchedules ?? DEFAULT_EXPLORE_SCHEDULES
      const id = request.jobId ?? `explore-${++anonymous}`
      const job = jobs.start(id)
      job.total = maxSchedules
      // The search's root counts as one state (Explorer's result starts at states: 1).
      const progress: ExploreJobDetail = { kind: 'explore', depth: 0, states: 1, started: Date.now() }
      job.detail = progress
      try {
        const explorer = new Explorer(loaded.scenario, profile, {
          kernel: request.kernel,
          arch: request.arch,
          variant: request.variant,
          patches: request.patches,
          maxSchedules,
          preemptionBound: request.preemptionBound,
          onProgress: (p) => {
            progress.depth = p.depth
            progress.states = p.states
            job.done = p.schedules_executed
          },
        })
        while (!explorer.advance(SLICE)) {
          await yieldToEventLoop()
          if (job.cancelRequested) {
            explorer.interrupt('cancelled: the states still queued were not explored')
            job.state = 'cancelled'
            break
          }
          if (Date.now() - progress.started > timeLimitMs) {
            explorer.interrupt(`stopped after the ${timeLimitMs / 1000} s limit for one job here (DAXLAB_RUN_TIME_LIMIT_S): the states still queued were not explored; daxlab explore has no limit`)
            break
          }
        }
        const result = explorer.result()
        job.done = result.schedules_executed
        if (job.state === 'running') job.state = 'done'
        return result
      } catch (err) {
        job.state = 'failed'
        if (err instanceof LabError) throw err
        // The machine or scenario asks for what the kernel could not build: the caller's input.
        if (err instanceof ModelError) throw new LabError({ code: 'invalid_request', message: err.message })
        throw new LabError({ code: 'failed', message: (err as Error).message })
      } finally {
        progress.ended = Date.now()
      }
    },
    async exploreProgress(request: LabRequest<'exploreProgress'>): Promise<ExploreProgressView> {
      const job = jobs.get(request.jobId)
      // A job id last used by another kind of job (a run, a sweep) is no exploration.
      if (job?.detail?.kind !== 'explore') return { jobId: request.jobId, state: 'unknown', depth: 0, states: 0, schedules_executed: 0, max_schedules: 0, elapsed_ms: 0, rate: 0 }
      const { detail } = job
      const elapsed = (detail.ended ?? Date.now()) - detail.started
      return {
        jobId: request.jobId,
        // An exploration stores nothing, so it is never 'saving'; the view has no such state.
        state: job.state === 'saving' ? 'running' : job.state,
        depth: detail.depth,
        states: detail.states,
        schedules_executed: job.done,
        max_schedules: job.total,
        elapsed_ms: elapsed,
        rate: elapsed > 0 ? Math.round((job.done * 1000) / elapsed) : 0,
      }
    },
  }
}
