/**
 * The big stored run the UI bench (ui.ts) measures and the 1M-event e2e test (test/e2e/big-events)
 * scrolls: one generator, so both look at the same run. Pure data.
 */
const GiB = 2 ** 30
const MiB = 2 ** 20

/** Iterations that give just over 1,000,000 events (1,006,976 events in 37,737 steps under 6.17). */
export const BIG_RUN_ITERATIONS = 12600

/**
 * A device-dax run of ~80 events per iteration: faults, 16-page pins and unpins at 32768 places. The
 * device has 4 KiB alignment, so every page is its own folio and the pins take and drop one reference
 * per page (with 2 MiB alignment a 16-page pin of a PMD folio is one grab and one put: ADR 0029).
 */
export function bigScenario(iterations: number): string {
  const steps: unknown[] = [{ mmap: { id: 'm', device: 'dax0', length: 64 * GiB } }]
  const live: string[] = []
  for (let i = 0; i < iterations; i++) {
    const pmd = (i * 7919) % 32768
    steps.push({ access: { map: 'm', offset: pmd * 2 * MiB } })
    steps.push({ gup: { id: `g${i}`, map: 'm', offset: pmd * 2 * MiB, pages: 16, pin: true } })
    live.push(`g${i}`)
    if (live.length > 64) steps.push({ unpin: { gup: live.shift() } })
  }
  const profile = { name: 'bench-devdax-64g', arch: 'x86', regions: [{ name: 'dax0', type: 'devdax', size: '64GiB', align: '4KiB' }] }
  return JSON.stringify({ name: 'bench-ui-1m', description: 'a million events for the UI bench', profile, steps })
}
