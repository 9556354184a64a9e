/** Timing helpers: every figure is the median of several warm runs in this process. */
import { performance } from 'node:perf_hooks'

export const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 3))

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** A figure's one run: `prepare` (untimed, fresh inputs such as a new store file), `body` (timed), `cleanup` (untimed). */
export interface Timed<T = unknown> {
  // Method signatures (not function-typed fields): a Timed<{ store }> is then usable as a Timed<unknown>.
  prepare(): T
  body(input: T): unknown
  cleanup?(input: T): void
}

async function timeOnce<T>(t: Timed<T>): Promise<number> {
  const input = t.prepare()
  const start = performance.now()
  await t.body(input)
  const seconds = (performance.now() - start) / 1000
  t.cleanup?.(input)
  return seconds
}

/**
 * Figures read against each other (the engine and the raw loop, the store and raw SQLite) measured
 * side by side: each round runs every figure once, in turn, so a slow spell of the machine (memory
 * shared with other tenants, the disk's write-back of an earlier file, another process) falls on all
 * of them alike instead of on whichever ran then. `warmups`
 * untimed rounds first, then `runs` timed ones; returns each figure's median seconds.
 */
export async function interleavedMedians<K extends string>(figures: Record<K, Timed>, warmups = 1, runs = Math.max(RUNS, 5)): Promise<Record<K, number>> {
  const names = Object.keys(figures) as K[]
  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>
  for (let round = 0; round < warmups + runs; round++) {
    for (const name of names) {
      const seconds = await timeOnce(figures[name])
      if (round >= warmups) times[name].push(seconds)
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n])])) as Record<K, number>
}
