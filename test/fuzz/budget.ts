/**
 * Case counts for the property tests. CI runs FUZZ_DEFAULT_RUNS cases per parser (the whole fuzz
 * suite stays under about a minute on two cores); `npm run fuzz` sets DAXLAB_FUZZ_RUNS for longer runs.
 */
export const FUZZ_DEFAULT_RUNS = 10_000

export function fuzzRuns(scale = 1): number {
  const fromEnv = Number(process.env.DAXLAB_FUZZ_RUNS)
  const runs = Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : FUZZ_DEFAULT_RUNS
  return Math.max(1, Math.round(runs * scale))
}

/** Per-case timeout (ms): a case that takes longer is a hang and fails the property. */
export const CASE_TIMEOUT_MS = 2_000

/** vitest's own timeout for a whole property at this case count. */
export function testTimeout(runs: number, perCaseMs = 5): number {
  return 30_000 + runs * perCaseMs
}
