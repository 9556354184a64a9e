/**
 * `npm run bench`: performance figures as one JSON object, each beside the baseline it should be read
 * against, measured in the same process on the same machine. Every figure is the median of at least
 * three warm runs (BENCH_RUNS, default 3). The keys are documented in docs/bench.md.
 *
 * The workloads are valid kernel usage. If the engine reports any violation, failed step or blocked
 * task on them, the bench prints what went wrong and exits 1 instead of printing figures: a fast
 * engine that gets the kernel wrong measures nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { performance } from 'node:perf_hooks'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Profile } from '../../main/formats/profile'
import type { RunResult } from '../../main/sim/result'
import type { Scenario } from '../../main/formats/scenario'
import { builtinProfile } from '../../main/library/index'
import { runScenario, type RunOutput } from '../../main/sim/run'
import { DEFAULT_CHUNK_EVENTS, packChunk } from '../../main/store/event-codec'
import { TraceStore } from '../../main/store/trace-store'
import { interleavedMedians, RUNS, type Timed } from './measure'
import { simulateAndSave } from '../../main/store/run-writer/simulate-and-save'
import { parseChild, parseFigures } from './parse'
import { rawLoopOver, rawSqliteRun, removeDatabase } from './raw'
import { runMemoryChild, runMemoryFigures } from './run-memory'
import { exploreBench } from './explore-bench'
import { sessionsBench } from './sessions-bench'
import { traceImportBench } from './trace-import-bench'
import { cliStartup } from './startup'
import { checkValid, InvalidWorkload } from './validity'
import { devdaxMix, fsdax4k } from './workloads'

const KERNEL = '6.17'
const TARGETS = { engine_vs_raw_loop: 0.25, store_vs_raw_sqlite: 0.8, e2e_vs_raw_sqlite: 0.5, cli_vs_node_startup: 2 } as const

function run(scenario: Scenario): RunOutput {
  return runScenario(scenario, scenario.profile as Profile, { kernel: KERNEL })
}

/**
 * Engine throughput on one workload, and the raw loop over the engine's own trace (raw.ts rawLoopOver):
 * the checked run, then both timed in turn, round by round (interleavedMedians), so a slow spell of
 * this shared machine's memory falls on both sides of the ratio alike.
 */
async function engineAndRawLoop(scenario: Scenario): Promise<{ output: RunOutput; eventsPerSecond: number; stepsPerSecond: number; rawLoopEventsPerSecond: number }> {
  const output = run(scenario)
  checkValid(scenario.name, output)
  const events = output.trace.events.count
  const seconds = await interleavedMedians({
    engine: { prepare: () => undefined, body: () => void run(scenario) },
    rawLoop: rawLoopOver(output.trace.events.columns().pfn, events),
  })
  return { output, eventsPerSecond: events / seconds.engine, stepsPerSecond: scenario.steps.length / seconds.engine, rawLoopEventsPerSecond: events / seconds.rawLoop }
}

function packAll(output: RunOutput): Uint8Array[] {
  const cols = output.trace.events.columns()
  const blobs: Uint8Array[] = []
  for (let s = 0; s < cols.count; s += DEFAULT_CHUNK_EVENTS) blobs.push(packChunk(cols, s, Math.min(DEFAULT_CHUNK_EVENTS, cols.count - s)).data)
  return blobs
}

/**
 * A figure that writes one run into a new store file per round (for interleavedMedians): the file is
 * opened before the timed `body`, closed at its end and deleted after it. The close is timed: it
 * copies what the write-ahead log still holds into the database file (SQLite's checkpoint), as
 * `daxlab run` does before it exits, and raw SQLite is timed the same way (raw.ts). Whether the save's
 * own commit already did that depends on how many pages it wrote (docs/bench.md#rules-the-bench-keeps).
 */
function intoNewStore(dir: string, tag: string, body: (store: TraceStore) => unknown): Timed<{ store: TraceStore; file: string }> {
  let n = 0
  return {
    prepare: () => {
      const file = join(dir, `${tag}-${n++}.sqlite`)
      return { store: TraceStore.open(file), file }
    },
    body: async ({ store }) => {
      await body(store)
      store.close()
    },
    cleanup: ({ store, file }) => {
      store.close()
      removeDatabase(file)
    },
  }
}

/**
 * `bench.js --engine-only [devdax|fsdax]`: each workload (or the one named) run once cold, then
 * BENCH_RUNS warm runs, and nothing else, for `node --cpu-prof`. Prints the cold time and the fastest
 * warm run in wall and CPU time (user + system of the process, GC threads included): under load CPU
 * time moves far less than wall time.
 */
function engineOnly(only: string | undefined): void {
  const workloads = { devdax: () => devdaxMix(Number(process.env.BENCH_ITERATIONS ?? 40000)), fsdax: () => fsdax4k(builtinProfile('x86-pmem-1tib')!, Number(process.env.BENCH_FSDAX_FAULTS ?? 50000)) }
  if (only !== undefined && !(only in workloads)) {
    // One line and exit 2, as the CLI answers a bad argument (no stack trace).
    process.stderr.write(`--engine-only: unknown workload '${only}' (devdax or fsdax)\n`)
    process.exitCode = 2
    return
  }
  for (const make of only === undefined ? Object.values(workloads) : [workloads[only as keyof typeof workloads]]) {
    const scenario = make()
    let start = performance.now()
    const output = run(scenario)
    const cold = performance.now() - start
    checkValid(scenario.name, output)
    let wall = Infinity
    let cpu = Infinity
    for (let i = 0; i < RUNS; i++) {
      const used = process.cpuUsage()
      start = performance.now()
      run(scenario)
      wall = Math.min(wall, performance.now() - start)
      const u = process.cpuUsage(used)
      cpu = Math.min(cpu, (u.user + u.system) / 1000)
    }
    process.stdout.write(`${scenario.name}: ${output.trace.events.count} events; cold ${Math.round(cold)} ms; best warm ${Math.round(wall)} ms wall, ${Math.round(cpu)} ms CPU\n`)
  }
}

/**
 * `bench.js --engine-figures`: only the engine figures and their raw-loop baselines (the same
 * functions and keys as the full bench), for measuring engine work without the store and session parts.
 */
async function engineFiguresOnly(): Promise<void> {
  const mix = await engineAndRawLoop(devdaxMix(Number(process.env.BENCH_ITERATIONS ?? 40000)))
  const rawLoop = mix.rawLoopEventsPerSecond
  const fsdax = await engineAndRawLoop(fsdax4k(builtinProfile('x86-pmem-1tib')!, Number(process.env.BENCH_FSDAX_FAULTS ?? 50000)))
  const rawLoopFsdax = fsdax.rawLoopEventsPerSecond
  const figures = {
    runs_per_figure: RUNS,
    engine_events_per_s: round(mix.eventsPerSecond),
    engine_steps_per_s: round(mix.stepsPerSecond),
    raw_loop_events_per_s: round(rawLoop),
    engine_fsdax_4k_events_per_s: round(fsdax.eventsPerSecond),
    engine_fsdax_4k_steps_per_s: round(fsdax.stepsPerSecond),
    raw_loop_fsdax_4k_events_per_s: round(rawLoopFsdax),
    ratios: { engine_vs_raw_loop: ratio(mix.eventsPerSecond, rawLoop), engine_fsdax_4k_vs_raw_loop: ratio(fsdax.eventsPerSecond, rawLoopFsdax) },
  }
  process.stdout.write(JSON.stringify(figures, null, 2) + '\n')
}

/**
 * The store figures on the device DAX mix: all of saveRun, saveRun of the events alone, raw SQLite
 * writing the same chunk bytes, and simulate-and-store as `daxlab run` does it. They are read against
 * raw SQLite, whose time is mostly the commit's write-back to disk and moves with the disk, so they
 * are timed in turn, round by round (interleavedMedians), with at least five timed rounds.
 */
async function storeFigures(dir: string, mix: Scenario, output: RunOutput): Promise<{ storeSeconds: number; eventsOnlySeconds: number; rawSqlite: number; e2eSeconds: number }> {
  const mixProfile = mix.profile as Profile
  // The events-only result is copied key by key without reading the lists it empties: a spread reads
  // `folios`, which makes the engine's list of them (main/sim/run.ts makes it when first read), and
  // every full save below would then be timed on a result whose list was made outside any timing.
  const emptied = new Set(['steps', 'violations', 'blocked', 'folios'])
  const light: Record<string, unknown> = {}
  for (const key of Object.keys(output.result)) light[key] = emptied.has(key) ? [] : output.result[key as keyof RunResult]
  const eventsOnly: RunOutput = { trace: output.trace, result: light as unknown as RunResult }
  const save = (run: RunOutput) => (store: TraceStore) => store.saveRun({ result: run.result, trace: run.trace, scenarioText: '# bench', profile: mixProfile })
  const seconds = await interleavedMedians({
    raw: rawSqliteRun(packAll(output), dir),
    store: intoNewStore(dir, 'full', save(output)),
    eventsOnly: intoNewStore(dir, 'events', save(eventsOnly)),
    // As `daxlab run` does it (the same function): a run this big is saved on the writer thread while it runs.
    e2e: intoNewStore(dir, 'e2e', async (store) => {
      const saved = await simulateAndSave({ scenario: mix, scenarioText: '# bench', profile: mixProfile, options: { kernel: KERNEL }, store })
      if (!saved.streamed) throw new Error('the e2e figure expects a streamed save (is dist/cli/run-writer.js built?)')
    }),
  })
  const events = output.trace.events.count
  return { storeSeconds: seconds.store, eventsOnlySeconds: seconds.eventsOnly, rawSqlite: events / seconds.raw, e2eSeconds: seconds.e2e }
}

/**
 * `bench.js --store-figures`: the engine figure and the store figures with their ratios (the same
 * functions and keys as the full bench), for measuring store work without the rest.
 */
async function storeFiguresOnly(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-bench-'))
  try {
    const mix = devdaxMix(Number(process.env.BENCH_ITERATIONS ?? 40000))
    const engine = await engineAndRawLoop(mix)
    const events = engine.output.trace.events.count
    const { storeSeconds, eventsOnlySeconds, rawSqlite, e2eSeconds } = await storeFigures(dir, mix, engine.output)
    const figures = {
      runs_per_figure: RUNS,
      engine_events_per_s: round(engine.eventsPerSecond),
      store_events_per_s: round(events / storeSeconds),
      store_events_only_per_s: round(events / eventsOnlySeconds),
      raw_sqlite_events_per_s: round(rawSqlite),
      e2e_events_per_s: round(events / e2eSeconds),
      ratios: { store_vs_raw_sqlite: ratio(events / storeSeconds, rawSqlite), e2e_vs_raw_sqlite: ratio(events / e2eSeconds, rawSqlite) },
    }
    process.stdout.write(JSON.stringify(figures, null, 2) + '\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const round = (x: number) => Math.round(x)
const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000

async function main(): Promise<void> {
  const here = fileURLToPath(import.meta.url)
  if (process.argv[2] === '--parse-child') return parseChild(process.argv[3]!, Number(process.argv[4]))
  if (process.argv[2] === '--run-child') return runMemoryChild(process.argv[3]!, Number(process.argv[4]))
  if (process.argv[2] === '--engine-only') return engineOnly(process.argv[3])
  if (process.argv[2] === '--engine-figures') return engineFiguresOnly()
  if (process.argv[2] === '--store-figures') return storeFiguresOnly()
  const started = Date.now()
  const iterations = Number(process.env.BENCH_ITERATIONS ?? 40000)
  const faults = Number(process.env.BENCH_FSDAX_FAULTS ?? 50000)
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-bench-'))
  try {
    const mix = devdaxMix(iterations)
    const engine = await engineAndRawLoop(mix)
    const events = engine.output.trace.events.count
    const rawLoop = engine.rawLoopEventsPerSecond

    const profile1t = builtinProfile('x86-pmem-1tib')!
    const fsdax = await engineAndRawLoop(fsdax4k(profile1t, faults))
    const fsdaxEvents = fsdax.output.trace.events.count
    const rawLoopFsdax = fsdax.rawLoopEventsPerSecond

    const { storeSeconds, eventsOnlySeconds, rawSqlite, e2eSeconds } = await storeFigures(dir, mix, engine.output)

    const startup = cliStartup(join(dirname(here), 'daxlab.js'))
    const parse = parseFigures(here)
    const runMemory = runMemoryFigures(here)
    // The session figures (issue 8) in the same run: diff, sweep speed-up, archive export and import.
    const { workload: sessionsWorkload, ...sessions } = await sessionsBench()
    // The explorer (issue 11) and real-trace import (issue 12) figures.
    const { workload: exploreWorkload, ...explore } = await exploreBench()
    const traces = await traceImportBench({ bin: join(dirname(here), 'daxlab.js') })

    const engineEps = round(engine.eventsPerSecond)
    const storeEps = round(events / storeSeconds)
    const e2eEps = round(events / e2eSeconds)
    const figures = {
      workload: { name: mix.name, profile: '64 GiB devdax, 2 MiB align, x86', kernel: KERNEL, steps: mix.steps.length, events, violations: engine.output.result.violations.length, errors: 0 },
      workload_fsdax_4k: { name: 'bench-fsdax-4k', profile: 'x86-pmem-1tib (1 TiB fsdax, xfs), 4 KiB PTE faults', kernel: KERNEL, steps: fsdax.output.result.steps.length, events: fsdaxEvents, violations: fsdax.output.result.violations.length, errors: 0 },
      runs_per_figure: RUNS,
      engine_events_per_s: engineEps,
      engine_steps_per_s: round(engine.stepsPerSecond),
      raw_loop_events_per_s: round(rawLoop),
      engine_fsdax_4k_events_per_s: round(fsdax.eventsPerSecond),
      engine_fsdax_4k_steps_per_s: round(fsdax.stepsPerSecond),
      raw_loop_fsdax_4k_events_per_s: round(rawLoopFsdax),
      store_events_per_s: storeEps,
      store_events_only_per_s: round(events / eventsOnlySeconds),
      raw_sqlite_events_per_s: round(rawSqlite),
      e2e_events_per_s: e2eEps,
      ...startup,
      parse_1k_steps_ms: parse[1000]!.ms,
      parse_1k_steps_peak_mb: parse[1000]!.peak_mb,
      parse_10k_steps_ms: parse[10000]!.ms,
      parse_10k_steps_peak_mb: parse[10000]!.peak_mb,
      parse_100k_steps_ms: parse[100000]!.ms,
      parse_100k_steps_peak_mb: parse[100000]!.peak_mb,
      run_10k_steps_peak_mb: runMemory['10k'].peak_mb,
      run_100k_steps_peak_mb: runMemory['100k'].peak_mb,
      workload_run_memory: { name: mix.name, kernel: KERNEL, '10k': runMemory['10k'].steps, '100k': runMemory['100k'].steps, events_100k: runMemory['100k'].events },
      ...sessions,
      workload_sessions: sessionsWorkload,
      ...explore,
      workload_explore: exploreWorkload,
      ...traces,
      ...(Object.values(parse).some((p) => p.note) ? { parse_notes: Object.fromEntries(Object.entries(parse).filter(([, p]) => p.note).map(([k, p]) => [k, p.note])) } : {}),
      ...(Object.values(runMemory).some((r) => r.note) ? { run_memory_notes: Object.fromEntries(Object.entries(runMemory).filter(([, r]) => r.note).map(([k, r]) => [k, r.note])) } : {}),
      ratios: {
        engine_vs_raw_loop: ratio(engine.eventsPerSecond, rawLoop),
        engine_fsdax_4k_vs_raw_loop: ratio(fsdax.eventsPerSecond, rawLoopFsdax),
        store_vs_raw_sqlite: ratio(storeEps, rawSqlite),
        e2e_vs_raw_sqlite: ratio(e2eEps, rawSqlite),
        cli_vs_node_startup: ratio(startup.cli_startup_ms, startup.node_startup_ms),
      },
      targets: { engine_vs_raw_loop: `>= ${TARGETS.engine_vs_raw_loop}`, store_vs_raw_sqlite: `>= ${TARGETS.store_vs_raw_sqlite}`, e2e_vs_raw_sqlite: `>= ${TARGETS.e2e_vs_raw_sqlite}`, cli_vs_node_startup: `<= ${TARGETS.cli_vs_node_startup}` },
      bench_seconds: Math.round((Date.now() - started) / 1000),
      machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' },
    }
    process.stdout.write(JSON.stringify(figures, null, 2) + '\n')
  } catch (e) {
    if (!(e instanceof InvalidWorkload)) throw e
    process.stderr.write(`bench FAILED\n${e.message}\n`)
    process.exitCode = 1
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
