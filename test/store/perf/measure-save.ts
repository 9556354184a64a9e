/**
 * A quick saveRun measurement (not part of `npm test`; the engine helper owns `npm run bench`):
 *   node test/store/perf/run.mjs [iterations]   (UNPIN_ALL=1: the old violation-heavy mix)
 * Runs the bench's synthetic devdax mix once, then times, each the median of 7 warm rounds into fresh
 * files: all of saveRun, and raw better-sqlite3 inserting the same packed event bytes as BLOBs.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { Profile } from '../../../main/formats/profile'
import type { Scenario, Step } from '../../../main/formats/scenario'
import { runScenario } from '../../../main/sim/run'
import { eventChunkChecksum } from '../../../main/store/checksum'
import { DEFAULT_CHUNK_EVENTS, packChunk } from '../../../main/store/event-codec'
import { PackBuffer, packRecords } from '../../../main/store/record-codec'
import { DEFAULT_CHUNK_RECORDS, TraceStore } from '../../../main/store/trace-store'
import { xorshift32 } from '../random'

const GiB = 2 ** 30
const MiB = 2 ** 20

/**
 * The bench's mix: faults, GUPs (a third FOLL_GET), releases, zaps. Valid kernel usage (FOLL_GET released
 * with put) unless `unpinAll`, the old broken mix that releases everything with unpin: ~364k violations.
 */
function scenario(iterations: number, unpinAll = false): Scenario {
  const profile: Profile = { name: 'bench-devdax-64g', arch: 'x86', regions: [{ name: 'dax0', type: 'devdax', size: 64 * GiB, align: '2MiB' }] }
  const steps: Step[] = []
  const random = xorshift32(42)
  const mapLen = 64 * GiB
  const pmds = mapLen / (2 * MiB)
  const mmap = { op: 'mmap', task: 'main', args: { id: 'm', offset: 0, length: mapLen, shared: true, sync: false, device: 'dax0' } } as Step
  steps.push(mmap)
  let live: string[] = []
  const pinned = new Set<string>()
  const release = (gup: string) => ({ op: unpinAll || pinned.delete(gup) ? 'unpin' : 'put', task: 'main', args: { gup } }) as Step
  for (let i = 0; i < iterations; i++) {
    const pmd = random(pmds)
    steps.push({ op: 'access', task: 'main', args: { map: 'm', offset: pmd * 2 * MiB, write: random(2) === 1, size: 'auto' } } as Step)
    const id = `g${i}`
    const pin = random(3) !== 0
    if (pin) pinned.add(id)
    steps.push({ op: 'gup', task: 'main', args: { id, map: 'm', offset: pmd * 2 * MiB + random(496) * 4096, pages: 16, pin, longterm: false, fast: true, write: false, p2pdma: false } } as Step)
    live.push(id)
    if (live.length > 64) steps.push(release(live.shift()!))
    if (i % 5000 === 4999) {
      for (const g of live) steps.push(release(g))
      live = []
      steps.push({ op: 'munmap', task: 'main', args: { map: 'm' } } as Step)
      steps.push(mmap)
    }
  }
  return { name: 'bench-devdax-mix', description: 'synthetic mix', profile, steps }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

function main(): void {
  const iterations = Number(process.argv[2] ?? 40000)
  const sc = scenario(iterations, process.env.UNPIN_ALL === '1')
  const t0 = performance.now()
  const { result, trace } = runScenario(sc, sc.profile as Profile, { kernel: '6.17' })
  const engineMs = performance.now() - t0
  const events = trace.events.count
  const cols = trace.events.columns()
  const blobs: Uint8Array[] = []
  const p0 = performance.now()
  for (let s = 0; s < events; s += DEFAULT_CHUNK_EVENTS) blobs.push(packChunk(cols, s, Math.min(DEFAULT_CHUNK_EVENTS, events - s)).data)
  const packEventsMs = performance.now() - p0
  const p1 = performance.now()
  const buf = new PackBuffer()
  for (const list of [result.steps, result.violations]) for (let f = 0; f < list.length; f += DEFAULT_CHUNK_RECORDS) packRecords(list, f, Math.min(DEFAULT_CHUNK_RECORDS, list.length - f), buf)
  const packRecordsMs = performance.now() - p1
  // What the checksums alone cost: hashing every event chunk as saveRun does.
  const h0 = performance.now()
  for (const b of blobs) eventChunkChecksum(0, 1, 0, 0, 0, b)
  const checksumMs = performance.now() - h0
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-measure-'))
  const store: number[] = []
  const raw: number[] = []
  try {
    for (let round = 0; round < 8; round++) {
      const s = TraceStore.open(join(dir, `store-${round}.sqlite`))
      const t1 = performance.now()
      s.saveRun({ result, trace, scenarioText: '# synthetic', profile: sc.profile as Profile })
      const storeMs = performance.now() - t1
      s.close()
      const db = new Database(join(dir, `raw-${round}.sqlite`))
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.exec('CREATE TABLE chunks (run_id INTEGER, chunk_no INTEGER, data BLOB, PRIMARY KEY (run_id, chunk_no))')
      const insert = db.prepare('INSERT INTO chunks VALUES (1, ?, ?)')
      const t2 = performance.now()
      db.transaction(() => blobs.forEach((b, i) => insert.run(i, b)))()
      const rawMs = performance.now() - t2
      db.close()
      if (round > 0) {
        store.push(events / (storeMs / 1000))
        raw.push(events / (rawMs / 1000))
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const out = {
    steps: result.steps.length,
    violations: result.violations.length,
    events,
    result_json_mb: +(JSON.stringify(result).length / MiB).toFixed(1),
    engine_ms: Math.round(engineMs),
    store_events_per_s: Math.round(median(store)),
    raw_sqlite_events_per_s: Math.round(median(raw)),
    ratio: +(median(store) / median(raw)).toFixed(3),
    // Each round's saveRun against the raw write right after it: the machine's load (shared with other
    // jobs) changes less between the two than across rounds.
    ratio_per_round_median: +median(store.map((s, i) => s / raw[i]!)).toFixed(3),
    event_checksum_ms: Math.round(checksumMs),
    pack_events_ms: Math.round(packEventsMs),
    pack_records_ms: Math.round(packRecordsMs),
    save_run_ms: Math.round((events / median(store)) * 1000),
    raw_sqlite_ms: Math.round((events / median(raw)) * 1000),
  }
  process.stdout.write(JSON.stringify(out, null, 2) + '\n')
}

main()
