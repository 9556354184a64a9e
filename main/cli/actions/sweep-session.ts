/**
 * `daxlab sweep` after its workers started (./sweep.ts): plans the matrix (or takes a session's frozen
 * one with --resume), runs it into one session and prints the session's summary (docs/sessions.md).
 * Built-in scenarios and profiles are read precompiled; the YAML parser (yaml, zod: ~150 ms of this
 * thread's CPU before any run could start) is loaded only for a file or a saved scenario or profile.
 */
import { builtinScenarioNames } from '../../library/builtins'
import { executeSweep, type SweepStats } from '../../sweep/execute'
import { SweepInputError, globMatcher, inShard, parseShard, planMatrix, type SweepScenario } from '../../sweep/matrix'
import type { SweepPool } from '../../sweep/pool'
import { sweepProgress } from '../../sweep/progress'
import { SessionError, SessionStore, checkSessionName, type SessionInfo } from '../../store/sessions/session-store'
import { TraceStore } from '../../store/trace-store'
import type { SweepOptions } from '../commands/sweep'
import { builtinProfileFor, builtinScenarioArg } from '../builtin-inputs'
import type * as CliInputs from '../inputs'
import { printErr, printOut } from '../terminal-text'
import { UsageError } from '../usage-error'
import { describeSession } from './session-line'

/** Exit status of a sweep stopped by Ctrl-C, as a shell reports SIGINT (128 + 2). */
const EXIT_INTERRUPTED = 130

const list = (text: string | undefined) =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

export async function sweepWith(opts: SweepOptions, jobs: number, pool: SweepPool | undefined): Promise<void> {
  await withStoreAsync(opts.db, async (sessions) => {
    const name = opts.resume !== undefined ? resumeTarget(sessions, opts) : await createSweep(sessions, opts)
    const work = sessions.pending(name)
    const skipped = sessions.require(name).items.skipped
    const controller = new AbortController()
    const onSigint = () => controller.abort()
    process.once('SIGINT', onSigint)
    let outcome
    try {
      outcome = await executeSweep({ sessions, session: name, work, jobs, pool, signal: controller.signal, onProgress: sweepProgress(`sweep ${name}`, skipped) })
    } finally {
      process.removeListener('SIGINT', onSigint)
    }
    if (process.env.DAXLAB_SWEEP_STATS === '1') printStats(outcome.stats)
    const info = sessions.require(name)
    if (outcome.interrupted) {
      printErr(`daxlab: interrupted: ${info.items.done} runs of session '${name}' are stored; finish with: daxlab sweep --resume ${name}\n`)
      process.exitCode = EXIT_INTERRUPTED
    } else if (outcome.failed > 0) process.exitCode = 1
    printSummary(sessions, info, opts.json === true)
  })
}

/** DAXLAB_SWEEP_STATS=1: where the CPU went, one JSON line on stderr (docs/sessions.md#sweep-cpu). */
function printStats(stats: SweepStats): void {
  printErr(`sweep stats: ${JSON.stringify(stats)}\n`)
}

function resumeTarget(sessions: SessionStore, opts: SweepOptions): string {
  const clash = (['scenarios', 'kernel', 'arch', 'variant', 'profile', 'session', 'shard'] as const).filter((k) => opts[k] !== undefined)
  if (clash.length > 0) throw new UsageError(`--resume runs the session's frozen matrix; drop ${clash.map((k) => '--' + k).join(', ')}`)
  const info = sessionOrUsage(sessions, opts.resume!)
  if (info.planned === null) throw new UsageError(`session '${info.name}' was not made by a sweep; there is nothing to resume`)
  return info.name
}

async function createSweep(sessions: SessionStore, opts: SweepOptions): Promise<string> {
  if (!opts.scenarios) throw new UsageError('sweep needs --scenarios (names, globs, files or all), or --resume NAME')
  if (!opts.kernel) throw new UsageError('sweep needs --kernel, e.g. --kernel 6.14,6.17')
  if (!opts.arch) throw new UsageError('sweep needs --arch, e.g. --arch all')
  const name = opts.session ?? `sweep-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`
  try {
    checkSessionName(name, '--session')
  } catch (e) {
    throw new UsageError((e as Error).message)
  }
  const scenarios = await resolveScenarios(list(opts.scenarios), opts.profile, opts.db)
  let matrix, shard
  try {
    shard = opts.shard !== undefined ? parseShard(opts.shard) : undefined
    matrix = planMatrix({ scenarios, kernels: list(opts.kernel), arches: list(opts.arch), variants: opts.variant === undefined ? undefined : list(opts.variant) })
  } catch (e) {
    if (e instanceof SweepInputError) throw new UsageError(e.message)
    throw e
  }
  const plan = {
    scenarios: list(opts.scenarios),
    kernels: list(opts.kernel),
    arches: list(opts.arch),
    ...(opts.variant !== undefined ? { variants: list(opts.variant) } : {}),
    ...(opts.profile !== undefined ? { profile: opts.profile } : {}),
    ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}),
  }
  try {
    sessions.createSweep(name, plan, matrix.items.length, matrix.hash, matrix.items.filter((i) => inShard(i.idx, shard)))
  } catch (e) {
    if (e instanceof SessionError) throw new UsageError(e.message)
    throw e
  }
  return name
}

async function resolveScenarios(entries: readonly string[], profileOverride: string | undefined, db: string | undefined): Promise<SweepScenario[]> {
  const names: string[] = []
  for (const entry of entries) {
    if (entry === 'all') names.push(...builtinScenarioNames())
    else if (/[*?]/.test(entry) && !entry.includes('/')) {
      const matched = builtinScenarioNames().filter(globMatcher(entry))
      if (matched.length === 0) throw new UsageError(`--scenarios: '${entry}' matches no built-in scenario`)
      names.push(...matched)
    } else names.push(entry)
  }
  let inputs: typeof CliInputs | undefined
  const out: SweepScenario[] = []
  for (const arg of new Set(names)) {
    const builtin = builtinSweepScenario(arg, profileOverride)
    if (builtin) {
      out.push(builtin)
      continue
    }
    // A file, a saved scenario or profile, or a name that is none of these (its error): the CLI's readers.
    inputs ??= await import('../inputs')
    const loaded = inputs.loadScenario(arg, db)
    out.push({ name: loaded.scenario.name, text: loaded.text, profile: inputs.profileFor(loaded, profileOverride, db) })
  }
  return out
}

/** A built-in scenario with its own profile or a built-in --profile; anything else is ../inputs.ts's. */
function builtinSweepScenario(arg: string, profileOverride: string | undefined): SweepScenario | undefined {
  const loaded = builtinScenarioArg(arg)
  const profile = loaded && builtinProfileFor(loaded, profileOverride)
  return profile && { name: loaded.scenario.name, text: loaded.text, profile }
}

function sessionOrUsage(sessions: SessionStore, name: string): SessionInfo {
  const info = sessions.get(name)
  if (!info) throw new UsageError(`no session '${name}' in the trace database`)
  return info
}

function printSummary(sessions: SessionStore, info: SessionInfo, json: boolean): void {
  if (json) {
    const skipped = sessions.items(info.name).filter((i) => i.status !== 'done')
    process.stdout.write(JSON.stringify({ ...info, not_run: skipped }, null, 2) + '\n')
    return
  }
  printOut(describeSession(info) + '\n')
}

/** withStore for async bodies: the store stays open until the sweep has settled, then closes. */
async function withStoreAsync(db: string | undefined, fn: (sessions: SessionStore) => Promise<void>): Promise<void> {
  // No --db: the default store (TraceStore.open's default, as the other commands' dbPathFrom).
  const store = TraceStore.open(db)
  try {
    await fn(new SessionStore(store))
  } finally {
    store.close()
  }
}
