/**
 * Session figures for `npm run bench` (docs/sessions.md#figures):
 *   diff_1m_events_s  diffing two stored sessions of ~1M events each (20 runs of ~50k events) that
 *                     differ in 2 runs, from opening the sides to the report (digests first, only the
 *                     2 differing pairs decoded); the median of 5 warm rounds after one warm-up
 *                     (workload.diff.first_call_s is the cold first call)
 *   sweep_speedup     `daxlab sweep` of the built-in library over 3 kernels x 5 arches, wall time with
 *                     --jobs 1 over --jobs 2 (each the best of two, fresh stores), CLI start included;
 *                     --jobs 1 does the same work on the main thread alone (docs/sessions.md), and
 *                     workload.sweep has each side's CPU per run (main thread, writer, workers)
 *   export_mb_s       `sessions export` of the 1M-event session: archive MB (2^20 bytes) per second
 *   import_mb_s       `sessions import` of that archive into a fresh store: MB per second
 * No thresholds here; the goals are in the issue and the docs.
 */
import { xorshift32 } from '../store/random'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { diffSessions } from '../../main/diff/session-diff'
import type { Profile } from '../../main/formats/profile'
import { parseScenarioText } from '../../main/formats/load'
import { runCombination } from '../../main/sweep/combination'
import { exportSession, importArchive } from '../../main/store/sessions/archive'
import { openArchive } from '../../main/store/sessions/archive-format'
import { diffSide } from '../../main/store/sessions/diff-source'
import { SessionStore, type PlannedItem } from '../../main/store/sessions/session-store'
import { TraceStore } from '../../main/store/trace-store'

const GiB = 2 ** 30
const MiB = 2 ** 20

export interface SessionFigures {
  readonly diff_1m_events_s: number
  readonly sweep_speedup: number
  readonly export_mb_s: number
  readonly import_mb_s: number
  readonly workload: Record<string, unknown>
}

/** A device-dax fault/pin/unpin mix as scenario YAML (the form a session freezes); `seed` picks the pages. */
function scenarioText(name: string, iterations: number, seed: number): string {
  const random = xorshift32(seed)
  const pmds = (16 * GiB) / (2 * MiB)
  const lines = [
    `name: ${name}`,
    'description: synthetic device-dax fault/pin/unpin mix for the session bench',
    'profile: {name: bench-devdax-16g, arch: x86, regions: [{name: dax0, type: devdax, size: 16GiB, align: 2MiB}]}',
    'steps:',
    '  - mmap: {id: m, device: dax0, length: 16GiB}',
  ]
  const live: string[] = []
  for (let i = 0; i < iterations; i++) {
    const offset = random(pmds) * 2 * MiB
    lines.push(`  - access: {map: m, offset: ${offset}, write: ${random(2) === 1}}`, `  - gup: {id: g${i}, map: m, offset: ${offset}, pages: 16, pin: true}`)
    live.push(`g${i}`)
    if (live.length > 32) lines.push(`  - unpin: {gup: ${live.shift()!}}`)
  }
  return lines.join('\n') + '\n'
}

/** A session of `runs` runs of the mix; runs listed in `changed` use another seed (same key, other events). */
function storeSession(store: TraceStore, name: string, runs: number, iterations: number, changed: ReadonlySet<number>): number {
  const sessions = new SessionStore(store)
  const items: PlannedItem[] = []
  for (let i = 0; i < runs; i++) {
    // Each run is its own scenario name so pairs are exact; the changed ones keep the name, not the pages.
    const name = `bench-mix-${i}`
    const text = scenarioText(name, iterations, changed.has(i) ? 1000 + i : 1 + i)
    const profile = parseScenarioText(text, `${name}.yaml`).profile as Profile
    items.push({ idx: i, scenarioName: name, scenarioText: text, profile, kernel: '6.17', arch: 'x86', variant: '4-level', status: 'pending' })
  }
  sessions.createSweep(name, { bench: true }, runs, `bench-${runs}-${iterations}`, items)
  let events = 0
  for (const w of sessions.pending(name)) {
    const out = runCombination({ work: w, chunking: sessions.chunking, scenario: parseScenarioText(w.scenarioText, `${w.scenarioName}.yaml`) }, false)
    events += out.events
    sessions.recordPreparedRuns(name, [out])
  }
  return events
}

function cliPath(): string {
  for (const p of [fileURLToPath(new URL('./daxlab.js', import.meta.url)), fileURLToPath(new URL('../daxlab.js', import.meta.url)), join(process.cwd(), 'dist/cli/daxlab.js')]) {
    if (existsSync(p)) return p
  }
  throw new Error('dist/cli/daxlab.js is missing: run node scripts/build-cli.mjs first')
}

interface SweepTiming {
  readonly seconds: number
  /** DAXLAB_SWEEP_STATS: the sweep's own CPU breakdown (main thread, workers, writer). */
  readonly stats: Record<string, number>
}

function sweepOnce(dir: string, jobs: number, tag: string): SweepTiming {
  const db = join(dir, `sweep-${jobs}-${tag}.sqlite`)
  const args = [cliPath(), 'sweep', '--scenarios', 'all', '--kernel', '6.14,6.15,6.17', '--arch', 'all', '--session', 's', '--jobs', String(jobs), '--db', db]
  const t = performance.now()
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, DAXLAB_DB: '', DAXLAB_SWEEP_STATS: '1' } })
  const seconds = (performance.now() - t) / 1000
  if (r.status !== 0) throw new Error(`sweep --jobs ${jobs} failed: ${r.stderr}`)
  const line = r.stderr.split('\n').find((l) => l.startsWith('sweep stats: '))
  if (!line) throw new Error(`sweep --jobs ${jobs} printed no stats line: ${r.stderr}`)
  return { seconds, stats: JSON.parse(line.slice('sweep stats: '.length)) as Record<string, number> }
}

const best = (a: SweepTiming, b: SweepTiming) => (a.seconds <= b.seconds ? a : b)

/** Per-run CPU of the best sweep: what bounds the speedup is the main thread's share. */
function cpuPerRun(t: SweepTiming): Record<string, number | null> {
  const { runs, mainCpuMs, mainSweepCpuMs, writeCpuMs, workerCpuMs } = t.stats
  const per = (ms: number | undefined) => (ms === undefined || !runs ? null : Number((ms / runs).toFixed(3)))
  return { main_ms_per_run: per(mainCpuMs), main_in_sweep_ms_per_run: per(mainSweepCpuMs), write_ms_per_run: per(writeCpuMs), worker_ms_per_run: per(workerCpuMs) }
}

export interface SweepFigure {
  readonly sweep_speedup: number
  readonly workload: Record<string, unknown>
}

/**
 * sweep_speedup alone (also `sessions-bench.js --sweep-only`, for iterating on the sweep): --jobs 1 and
 * --jobs 2, each the best of two fresh sweeps, with each side's CPU per run and the load average.
 */
export function sweepFigure(dir: string): SweepFigure {
  const loadBefore = loadavg()[0]!
  const oneRun = best(sweepOnce(dir, 1, 'x'), sweepOnce(dir, 1, 'y'))
  const twoRun = best(sweepOnce(dir, 2, 'x'), sweepOnce(dir, 2, 'y'))
  const one = oneRun.seconds
  const two = twoRun.seconds
  return {
    sweep_speedup: Number((one / two).toFixed(2)),
    workload: {
      matrix: 'built-in library x 6.14,6.15,6.17 x all arches',
      jobs1_s: Number(one.toFixed(2)),
      jobs2_s: Number(two.toFixed(2)),
      // jobs 1: everything on the main thread; jobs 2: two workers simulate, the main thread writes.
      jobs1_cpu: cpuPerRun(oneRun),
      jobs2_cpu: cpuPerRun(twoRun),
      load_avg_1m: [Number(loadBefore.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
    },
  }
}

/** Warm rounds of the diff whose median is diff_1m_events_s. */
const DIFF_ROUNDS = 5

export async function sessionsBench(): Promise<SessionFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-sessions-bench-'))
  try {
    const runs = 20
    const iterations = Number(process.env.BENCH_SESSION_ITERATIONS ?? 760)
    const store = TraceStore.open(join(dir, 'store.sqlite'))
    const eventsA = storeSession(store, 'a', runs, iterations, new Set())
    const eventsB = storeSession(store, 'b', runs, iterations, new Set([3, 11]))
    store.close()

    // The diff as the CLI does it: open the store, read both sides, diff. One warm-up, then the median
    // of DIFF_ROUNDS warm rounds (the first call also pays for compiling the diff code).
    const diffOnce = (): number => {
      const t0 = performance.now()
      const handle = TraceStore.open(join(dir, 'store.sqlite'))
      const diff = diffSessions(diffSide(handle.connection(), 'a', 'a')!, diffSide(handle.connection(), 'b', 'b')!)
      const seconds = (performance.now() - t0) / 1000
      handle.close()
      if (diff.summary.changed !== 2 || diff.summary.identical !== runs - 2) throw new Error(`bench diff found ${diff.summary_line}`)
      return seconds
    }
    const coldDiffSeconds = diffOnce()
    const rounds = Array.from({ length: DIFF_ROUNDS }, diffOnce).sort((x, y) => x - y)
    const diffSeconds = rounds[Math.floor(rounds.length / 2)]!
    const reopened = TraceStore.open(join(dir, 'store.sqlite'))

    const archive = join(dir, 'a.daxlab')
    const t1 = performance.now()
    exportSession(reopened, 'a', archive, 'bench')
    const exportSeconds = (performance.now() - t1) / 1000
    reopened.close()
    const bytes = statSync(archive).size

    const t2 = performance.now()
    const opened = openArchive(archive)
    const fresh = TraceStore.open(join(dir, 'fresh.sqlite'))
    importArchive(fresh, opened)
    fresh.close()
    opened.db.close()
    const importSeconds = (performance.now() - t2) / 1000

    const sweep = sweepFigure(dir)

    return {
      diff_1m_events_s: Number(diffSeconds.toFixed(4)),
      sweep_speedup: sweep.sweep_speedup,
      export_mb_s: Number((bytes / MiB / exportSeconds).toFixed(1)),
      import_mb_s: Number((bytes / MiB / importSeconds).toFixed(1)),
      workload: {
        diff: { runs_per_side: runs, events_a: eventsA, events_b: eventsB, changed_runs: 2, median_warm_s: diffSeconds, warm_rounds: DIFF_ROUNDS, first_call_s: Number(coldDiffSeconds.toFixed(4)) },
        sweep: sweep.workload,
        archive: { bytes, export_s: Number(exportSeconds.toFixed(3)), import_s: Number(importSeconds.toFixed(3)) },
      },
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
