/**
 * The Explore view's part of the contract (main/contract/api.ts spreads it in): the interleaving
 * explorer run as a job (docs/explore.md), its progress, and the cancel (cancelRun with the job's id,
 * as for runs and sweeps). The answer is the very object `daxlab explore --json` prints (ExploreResult
 * of main/explore/search.ts, without the CLI's `jobs`). A counterexample becomes a stored run through
 * runScenario's `schedule` (what `daxlab run --schedule` replays). Pure: types and zod schemas only.
 */
import { z } from 'zod'
import type { ExploreResult } from '../explore/search'

/** The most schedule executions one exploreScenario may ask for (the CLI has no limit: a user there can ^C). */
export const MAX_EXPLORE_SCHEDULES = 1_000_000
/** Schedule executions when the request names none: a few seconds to a minute on this machine's races. */
export const DEFAULT_EXPLORE_SCHEDULES = 20_000
/** The largest preemption bound a request may give (a concurrent block has at most 8 x 64 steps). */
export const MAX_PREEMPTION_BOUND = 512

/**
 * The most choices a runScenario `schedule` may carry: a schedule file's limit (MAX_SCHEDULE_CHOICES in
 * main/formats/schedule.ts, pinned equal by test/contract/explore.test.ts). A literal so the renderer,
 * which bundles the contract, does not pull in the YAML loader.
 */
export const MAX_REPLAY_CHOICES = 100_000

const name = z.string().min(1).max(200)
const jobId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (at most 64)')
/** `+name,-name` edits over the release's patch preset (docs/cli.md `--patches`). */
export const patchEdits = z
  .string()
  .max(2000)
  .regex(/^[+\-A-Za-z0-9_.,\s]*$/, '+name or -name items separated by commas')

export const exploreSchemas = {
  exploreScenario: z
    .object({
      /** A built-in or saved scenario with a `concurrent:` block; ignored when `source` is given. */
      scenario: name,
      /** The scenario's YAML/JSON text, for scenarios that are not built in. */
      source: z.string().min(1).max(16 * 1024 * 1024).optional(),
      kernel: name,
      arch: name.optional(),
      variant: name.optional(),
      patches: patchEdits.optional(),
      /** Stop after this many schedule executions (default DEFAULT_EXPLORE_SCHEDULES); the result then says it is not complete. */
      maxSchedules: z.number().int().min(1, 'at least 1').max(MAX_EXPLORE_SCHEDULES, `at most ${MAX_EXPLORE_SCHEDULES} (the CLI has no limit)`).optional(),
      /** Only schedules with at most this many preemptions. */
      preemptionBound: z.number().int().min(0, 'at least 0').max(MAX_PREEMPTION_BOUND, `at most ${MAX_PREEMPTION_BOUND}`).optional(),
      /** Chosen by the caller so it can poll exploreProgress and cancel (cancelRun) while the search runs. */
      jobId: jobId.optional(),
    })
    .strict(),
  exploreProgress: z.object({ jobId: z.string().min(1).max(64) }).strict(),
} as const

/** Where an exploration started with a `jobId` is. */
export interface ExploreProgressView {
  readonly jobId: string
  readonly state: 'running' | 'done' | 'cancelled' | 'failed' | 'unknown'
  /** Breadth-first depth reached (atomic steps). */
  readonly depth: number
  readonly states: number
  readonly schedules_executed: number
  /** The bound the search stops at. */
  readonly max_schedules: number
  readonly elapsed_ms: number
  /** Schedule executions per second so far. */
  readonly rate: number
}

export interface ExploreResponses {
  exploreScenario: ExploreResult
  exploreProgress: ExploreProgressView
}

export const EXPLORE_METHODS = ['exploreScenario', 'exploreProgress'] as const
