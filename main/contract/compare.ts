/**
 * The compare view's part of the contract (main/contract/api.ts spreads it in): two to four stored runs
 * lined up step by step, a page at a time. Main computes the per-step values with the CLI's own
 * comparison (main/sim/compare.ts, `compareRuns`), so the app and `daxlab compare` always agree; the
 * renderer never receives a whole run. Pure: types and zod schemas only.
 */
import { z } from 'zod'
import type { Comparison, StepComparison } from '../sim/compare'
import type { RunSummary } from './api'

/** Runs one comparison may line up: enough for kernel vs kernel vs kernel, few enough to read side by side. */
export const MAX_COMPARED_RUNS = 4
/** Rows one compareRuns page may carry. */
export const MAX_COMPARE_PAGE = 1000

export const compareSchemas = {
  compareRuns: z
    .object({
      ids: z.array(z.number().int().min(1)).min(2, 'pick at least two runs').max(MAX_COMPARED_RUNS, `at most ${MAX_COMPARED_RUNS} runs`),
      offset: z.number().int().min(0).optional(),
      limit: z.number().int().min(0).max(MAX_COMPARE_PAGE).optional(),
      /** Also find the first differing step at or after this one (`next`) and the last one before it (`previous`). */
      from: z.number().int().min(0).optional(),
    })
    .strict(),
} as const

/**
 * One page of a comparison. `comparison` is `compareRuns`'s answer without its step list (the run
 * labels, violations and blocked tasks per run, the first divergence, and whatever else the engine's
 * comparison reports, such as the patch switches that differ), with its lists capped at 2000 per run.
 */
export interface ComparePage {
  readonly runs: readonly RunSummary[]
  readonly comparison: Omit<Comparison, 'steps'>
  /** Steps in the longest run: the rows of the comparison. */
  readonly total: number
  /** How many steps differ in at least one value. */
  readonly divergent: number
  readonly offset: number
  /** Rows [offset, offset + limit): `index` is the step number, `values` one map per run. */
  readonly steps: readonly StepComparison[]
  /** With `from`: the first differing step >= from, and the last one < from (null when there is none). */
  readonly next?: number | null
  readonly previous?: number | null
  /** The runs are of different scenarios: steps are lined up by position only. */
  readonly scenariosDiffer: boolean
}

export interface CompareResponses {
  compareRuns: ComparePage
}
