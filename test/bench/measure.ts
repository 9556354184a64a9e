/** Timing helpers: every figure is the median of several warm runs in this process. */
import { performance } from 'node:perf_hooks'

export const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3))

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * Runs `prepare` (untimed) then `body` (timed) once to warm up, then RUNS more times, and returns the
 * median seconds of the timed runs. `prepare` gives each run fresh inputs (a new store file).
 */
/** medianSeconds for an async body (timed until its promise settles). */
export async function medianSecondsAsync<T>(prepare: () => T, body: (input: T) => Promise<unknown>, cleanup: (input: T) => void = () => {}): Promise<number> {
  const times: number[] = []
  for (let i = 0; i <= RUNS; i++) {
    const input = prepare()
    const start = performance.now()
    await body(input)
    const seconds = (performance.now() - start) / 1000
    cleanup(input)
    if (i > 0) times.push(seconds)
  }
  return median(times)
}

/**
 * `warmups`: untimed runs before the timed ones. A short loop called only a few times stays in V8's
 * lower tiers for its first one or two calls (seen here: 5x slower), so a cheap body needs more than
 * one to be measured warm; `runs` defaults to RUNS.
 */
export function medianSeconds<T>(prepare: () => T, body: (input: T) => void, cleanup: (input: T) => void = () => {}, warmups = 1, runs = RUNS): number {
  const times: number[] = []
  for (let i = 0; i < warmups + runs; i++) {
    const input = prepare()
    const start = performance.now()
    body(input)
    const seconds = (performance.now() - start) / 1000
    cleanup(input)
    if (i >= warmups) times.push(seconds)
  }
  return median(times)
}
