/** The explorer bench function: real figures, and the pruning goal (at most 1 in 10 schedules executed). */
import { expect, it } from 'vitest'
import { exploreBench } from '../bench/explore-bench'

it('exploreBench: a complete 3-task search, states per second measured, at least 10x fewer schedules executed', async () => {
  const f = await exploreBench()
  expect(f.workload.tasks).toBe(3)
  expect(f.explore_states_per_s).toBeGreaterThan(0)
  expect(f.explore_pruning).toBeGreaterThan(0)
  expect(f.explore_pruning).toBeLessThanOrEqual(0.1)
  expect(f.explore_pruning).toBeCloseTo(f.workload.schedules_executed / f.workload.schedules_total, 3)
}, 120_000)
