/**
 * `npm run bench`: throughput figures as JSON, each beside a baseline measured in the same run on the
 * same workload, so a number means something on whatever machine runs it:
 *   engine_events_per_s     the engine on a synthetic mix of faults, pins, unpins and unmaps on a 64 GiB
 *                           device-dax profile (2 MiB align)
 *   raw_loop_events_per_s   a bare typed-array refcount loop over 1M pages appending the same number of
 *                           events to typed arrays: the physical limit for that many updates
 *   store_events_per_s      TraceStore.saveRun of the engine's trace (a new file)
 *   raw_sqlite_events_per_s better-sqlite3 inserting the same packed bytes as BLOBs in one transaction
 * No thresholds here: CI prints, people compare.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Profile } from '../../main/formats/profile'
import type { Scenario, Step } from '../../main/formats/scenario'
import { runScenario } from '../../main/sim/run'
import { DEFAULT_CHUNK_EVENTS, packChunk } from '../../main/store/event-codec'
import { TraceStore } from '../../main/store/trace-store'

const GiB = 2 ** 30
const MiB = 2 ** 20

/** xorshift32: a deterministic workload without a dependency. */
function rng(seed: number) {
  let x = seed >>> 0 || 1
  return (n: number) => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x % n
  }
}

function syntheticScenario(iterations: number): Scenario {
  const profile: Profile = { name: 'bench-devdax-64g', arch: 'x86', regions: [{ name: 'dax0', type: 'devdax', size: 64 * GiB, align: '2MiB' }] }
  const steps: Step[] = []
  const random = rng(42)
  const mapLen = 64 * GiB
  const pmds = mapLen / (2 * MiB)
  steps.push({ op: 'mmap', task: 'main', args: { id: 'm', offset: 0, length: mapLen, shared: true, sync: false, device: 'dax0' } } as Step)
  let live: string[] = []
  for (let i = 0; i < iterations; i++) {
    const pmd = random(pmds)
    steps.push({ op: 'access', task: 'main', args: { map: 'm', offset: pmd * 2 * MiB, write: random(2) === 1, size: 'auto' } } as Step)
    const id = `g${i}`
    steps.push({ op: 'gup', task: 'main', args: { id, map: 'm', offset: pmd * 2 * MiB + random(496) * 4096, pages: 16, pin: random(3) !== 0, longterm: false, fast: true, write: false, p2pdma: false } } as Step)
    live.push(id)
    if (live.length > 64) {
      const done = live.shift()!
      steps.push({ op: 'unpin', task: 'main', args: { gup: done } } as Step)
    }
    if (i % 5000 === 4999) {
      // Drop every pin, unmap everything (zap), and map again.
      for (const g of live) steps.push({ op: 'unpin', task: 'main', args: { gup: g } } as Step)
      live = []
      steps.push({ op: 'munmap', task: 'main', args: { map: 'm' } } as Step)
      steps.push({ op: 'mmap', task: 'main', args: { id: 'm', offset: 0, length: mapLen, shared: true, sync: false, device: 'dax0' } } as Step)
    }
  }
  return { name: 'bench-devdax-mix', description: 'synthetic mix', profile, steps }
}

function rawLoop(events: number): number {
  const pages = 1 << 20
  const refcount = new Int32Array(pages)
  const logPfn = new Float64Array(events)
  const logBefore = new Float64Array(events)
  const logAfter = new Float64Array(events)
  const random = rng(7)
  const start = performance.now()
  for (let i = 0; i < events; i++) {
    const pfn = random(pages)
    const before = refcount[pfn]!
    const after = before + ((i & 1) === 0 ? 1 : -1)
    refcount[pfn] = after
    logPfn[i] = pfn
    logBefore[i] = before
    logAfter[i] = after
  }
  const seconds = (performance.now() - start) / 1000
  if (logAfter[events - 1] === 0.5) console.error('unreachable')
  return events / seconds
}

function rawSqlite(blobs: Uint8Array[], events: number, dir: string): number {
  const db = new Database(join(dir, 'raw.sqlite'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec('CREATE TABLE chunks (run_id INTEGER, chunk_no INTEGER, data BLOB, PRIMARY KEY (run_id, chunk_no))')
  const insert = db.prepare('INSERT INTO chunks VALUES (1, ?, ?)')
  const start = performance.now()
  db.transaction(() => blobs.forEach((b, i) => insert.run(i, b)))()
  const seconds = (performance.now() - start) / 1000
  db.close()
  return events / seconds
}

function main(): void {
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 40000)
  const scenario = syntheticScenario(iterations)
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-bench-'))
  try {
    const t0 = performance.now()
    const { result, trace } = runScenario(scenario, scenario.profile as Profile, { kernel: '6.17' })
    const engineSeconds = (performance.now() - t0) / 1000
    const events = trace.events.count

    const store = TraceStore.open(join(dir, 'store.sqlite'))
    const t1 = performance.now()
    store.saveRun({ result, trace, scenarioText: '# synthetic', profile: scenario.profile as Profile })
    const storeSeconds = (performance.now() - t1) / 1000
    store.close()

    const cols = trace.events.columns()
    const blobs: Uint8Array[] = []
    for (let s = 0; s < events; s += DEFAULT_CHUNK_EVENTS) blobs.push(packChunk(cols, s, Math.min(DEFAULT_CHUNK_EVENTS, events - s)).data)

    const figures = {
      workload: { profile: '64 GiB devdax, 2 MiB align, x86, kernel 6.17', steps: scenario.steps.length, events, errors: result.steps.filter((s) => s.status !== 'ok').length },
      engine_events_per_s: Math.round(events / engineSeconds),
      raw_loop_events_per_s: Math.round(rawLoop(events)),
      store_events_per_s: Math.round(events / storeSeconds),
      raw_sqlite_events_per_s: Math.round(rawSqlite(blobs, events, dir)),
      machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' },
    }
    process.stdout.write(JSON.stringify(figures, null, 2) + '\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main()
