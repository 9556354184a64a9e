/**
 * Explorer figures (docs/explore.md, docs/bench.md#explorer):
 *   explore_states_per_s  distinct machine states the explorer reaches per second on a 3-task race
 *                         (race-locked-entry-skip, 6.15: memory_failure, truncate and an unpin), the
 *                         median of RUNS warm complete searches
 *   explore_pruning       schedules executed / schedules that exist (the complete schedules, counted
 *                         through the merged state graph, which is exact): lower is better; the goal is
 *                         at most 0.1 (10x fewer)
 * Each search must be complete and find the 6.15 bug (dma_after_release), or the figure is refused.
 * Runnable alone: `npm run bench:explore` (dist/cli/explore-bench.js).
 */
import { performance } from 'node:perf_hooks'
import { builtinScenario, resolveProfile } from '../../main/library/index'
import { explore, type ExploreResult } from '../../main/explore/search'
import { median, RUNS } from './measure'

const SCENARIO = 'race-locked-entry-skip'
const KERNEL = '6.15'

export interface ExploreFigures {
  readonly explore_states_per_s: number
  readonly explore_pruning: number
  readonly workload: { scenario: string; kernel: string; tasks: number; states: number; schedules_executed: number; schedules_total: number }
}

export async function exploreBench(): Promise<ExploreFigures> {
  const scenario = builtinScenario(SCENARIO)
  if (!scenario) throw new Error(`no built-in scenario ${SCENARIO}`)
  const profile = resolveProfile(scenario, SCENARIO)
  const once = (): { r: ExploreResult; s: number } => {
    const start = performance.now()
    const r = explore(scenario, profile, { kernel: KERNEL })
    return { r, s: (performance.now() - start) / 1000 }
  }
  const warm = once().r
  if (!warm.complete || !warm.counterexamples.some((c) => c.kind === 'dma_after_release')) {
    throw new Error(`${SCENARIO} on ${KERNEL}: the search must be complete and find dma_after_release (complete: ${warm.complete}, found: ${warm.counterexamples.map((c) => c.kind).join(', ') || 'nothing'})`)
  }
  const seconds: number[] = []
  for (let i = 0; i < RUNS; i++) {
    seconds.push(once().s)
    // Yield between searches so a host's event loop is not starved.
    await new Promise((resolve) => setImmediate(resolve))
  }
  return {
    explore_states_per_s: Math.round(warm.states / median(seconds)),
    explore_pruning: Number((warm.schedules_executed / warm.schedules_total).toFixed(4)),
    workload: { scenario: SCENARIO, kernel: KERNEL, tasks: warm.tasks.length, states: warm.states, schedules_executed: warm.schedules_executed, schedules_total: warm.schedules_total },
  }
}
