/**
 * Peak memory of a run as `daxlab run` does it (simulate and store: simulateAndSave, the streamed
 * save's writer thread included), at about 10k and 100k steps of the device DAX mix, so the figure
 * shows how memory grows with the steps of a run. Each size runs in a child process (the bench bundle
 * with --run-child) so its peak RSS (VmHWM) is its own.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Profile } from '../../main/formats/profile'
import { simulateAndSave } from '../../main/store/run-writer/simulate-and-save'
import { TraceStore } from '../../main/store/trace-store'
import { childFigure } from './child'
import { peakRssBytes } from './parse'
import { devdaxMix } from './workloads'

/** Mix iterations for about 10k and 100k steps (each iteration is a fault, a GUP and mostly a release). */
export const RUN_MEMORY_SIZES = { '10k': 3_333, '100k': 33_333 } as const
const LIMIT_MS = 120_000

export interface RunMemoryFigure {
  readonly steps: number | null
  readonly events: number | null
  readonly peak_mb: number | null
  readonly note?: string
}

/** Child side: one simulate-and-save of the mix into a new store in `dir`; prints {steps, events, peak_mb}. */
export async function runMemoryChild(dir: string, iterations: number): Promise<void> {
  const mix = devdaxMix(iterations)
  const baseRss = process.memoryUsage().rss
  const store = TraceStore.open(join(dir, `run-${iterations}.sqlite`))
  try {
    const saved = await simulateAndSave({ scenario: mix, scenarioText: '# bench', profile: mix.profile as Profile, options: { kernel: '6.17' }, store })
    const peakMb = (peakRssBytes() - baseRss) / 2 ** 20
    process.stdout.write(JSON.stringify({ steps: mix.steps.length, events: saved.output.trace.events.count, peak_mb: Math.max(0, peakMb) }) + '\n')
  } finally {
    store.close()
  }
}

export function runMemoryFigures(benchBundle: string): Record<keyof typeof RUN_MEMORY_SIZES, RunMemoryFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-run-memory-'))
  const out = {} as Record<keyof typeof RUN_MEMORY_SIZES, RunMemoryFigure>
  try {
    for (const [size, iterations] of Object.entries(RUN_MEMORY_SIZES) as [keyof typeof RUN_MEMORY_SIZES, number][]) {
      const r = childFigure<{ steps: number; events: number; peak_mb: number }>(benchBundle, ['--run-child', dir, String(iterations)], LIMIT_MS)
      if ('note' in r) {
        out[size] = { steps: null, events: null, peak_mb: null, note: r.note }
        continue
      }
      const f = r.value
      out[size] = { steps: f.steps, events: f.events, peak_mb: Math.round(f.peak_mb) }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return out
}
