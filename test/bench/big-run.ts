/**
 * The big stored run the UI bench (ui.ts) measures and the 1M-event e2e test (test/e2e/big-events)
 * scrolls: one generator, so both look at the same run. Pure data.
 */
const GiB = 2 ** 30
const MiB = 2 ** 20

/** Iterations that give just over 1,000,000 events (1,002,952 events in 44,937 steps). */
export const BIG_RUN_ITERATIONS = 15000

/** A device-dax run of ~67 events per iteration: faults, 16-page pins and unpins across 32768 PMDs. */
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
  const profile = { name: 'bench-devdax-64g', arch: 'x86', regions: [{ name: 'dax0', type: 'devdax', size: '64GiB', align: '2MiB' }] }
  return JSON.stringify({ name: 'bench-ui-1m', description: 'a million events for the UI bench', profile, steps })
}
