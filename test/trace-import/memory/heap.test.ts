/**
 * Bounded memory of the import itself (issue 12): the retained heap (heapUsed + external after a full
 * GC, sampled every 5,000 events, above what it was before the import) while importing a generated log of N lines and of 4N lines.
 * Streamed into the store it does not grow with N; the importer's in-memory event log (the control,
 * how import-trace held a run before it streamed) grows by its 42 bytes an event, so the probe can
 * tell the two apart.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { importTraceFile } from '../../../main/cli/trace-file'
import { importTraceRun } from '../../../main/services/trace-import-run'
import { TraceStore } from '../../../main/store/trace-store'
import { TraceImporter } from '../../../main/trace-import/importer'
import { writeTraceLog } from '../../bench/trace-log'

// A full GC on demand without starting the test process with --expose-gc.
setFlagsFromString('--expose-gc')
const fullGc = runInNewContext('gc') as () => void
/** Twice: array buffers freed by one full GC are swept concurrently and still counted right after it. */
const gc = () => {
  fullGc()
  fullGc()
}

async function retainedPeakMiB(file: string, mode: 'stream' | 'keep'): Promise<number> {
  let peak = 0
  let seen = 0
  const sample = () => {
    if (++seen % 5_000 !== 0) return
    gc()
    const m = process.memoryUsage()
    peak = Math.max(peak, m.heapUsed + m.external)
  }
  gc()
  const base = process.memoryUsage()
  const baseline = base.heapUsed + base.external
  if (mode === 'keep') {
    const importer = new TraceImporter({ onEvent: sample })
    await importTraceFile(file, importer, 'probe', { onProgress: () => {} })
    expect(importer.trace.events.count).toBeGreaterThan(0) // the log is still held while sampled
  } else {
    const store = TraceStore.open(join(mkdtempSync(join(tmpdir(), 'daxlab-heap-')), 'lab.sqlite'))
    try {
      const run = await importTraceRun(file, store, { name: 'probe', sourceNote: 'probe', threaded: false, onEvent: sample, onProgress: () => {} })
      expect(store.getRun(run.runId)?.summary.events).toBe(run.result.events)
    } finally {
      store.close()
    }
  }
  expect(seen).toBeGreaterThan(25_000) // several samples even for N
  return (peak - baseline) / 2 ** 20
}

describe('trace import retained heap', () => {
  it('does not grow from N to 4N lines when streamed; the kept log does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daxlab-heap-'))
    const small = join(dir, 'n.txt')
    const large = join(dir, '4n.txt')
    const n = await writeTraceLog(small, { bytes: 8e6, pfns: 1024 })
    const n4 = await writeTraceLog(large, { bytes: 32e6, pfns: 1024 })
    expect(n4.lines / n.lines).toBeGreaterThan(3.9)
    await retainedPeakMiB(small, 'stream') // warm-up: modules, compiled code and SQLite statements
    await retainedPeakMiB(small, 'keep')
    const stream = [await retainedPeakMiB(small, 'stream'), await retainedPeakMiB(large, 'stream')]
    const keep = [await retainedPeakMiB(small, 'keep'), await retainedPeakMiB(large, 'keep')]
    console.log(`retained heap MiB: streamed ${stream.map((m) => m.toFixed(1)).join(' -> ')}, kept log ${keep.map((m) => m.toFixed(1)).join(' -> ')}`)
    // 3N more lines; at least one logged event in four lines (the generator logs about one in two), 42 bytes each.
    const keptGrowth = keep[1]! - keep[0]!
    expect(keptGrowth).toBeGreaterThan(((n4.lines - n.lines) * 0.25 * 42) / 2 ** 20)
    expect(stream[1]! - stream[0]!).toBeLessThan(Math.min(2, keptGrowth / 4))
  }, 180_000)
})
