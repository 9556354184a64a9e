/**
 * SIGKILL harness: starts a child that writes to a store, kills it at a seeded random moment, then
 * checks the store (SQLite integrity_check and every checksum, through TraceStore.check) and lets the
 * workload check that everything the child reported committed is there and that nothing half-written
 * looks complete. A workload (runs today; sweeps, imports and exports can be added the same way) is
 * a child script that prints one JSON line after each commit, plus a state that folds those lines.
 */
import { build } from 'esbuild'
import { spawn } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { expect } from 'vitest'
import { TraceStore } from '../../../main/store/trace-store'
import { random } from './workload'

export interface CrashWorkload<State> {
  readonly name: string
  initial(): State
  /**
   * The child script and its arguments, given what was committed so far. A `.ts` script is bundled
   * once; a `.js` one (the built CLI) runs as it is.
   */
  child(file: string, state: State): { script: string; args: string[] }
  /**
   * The built CLI prints no "ready" line: its kills are timed from the child's start instead. Its
   * commands also finish on their own when the kill comes late (a resumed sweep with little left):
   * then the round is a clean exit (code 0), not a kill.
   */
  readonly cli?: boolean
  /** Folds one line the child printed (parsed JSON) into the state. */
  record(state: State, line: { op: string } & Record<string, unknown>): void
  /** After a kill, on a store that passed its check: fails (expect) when a commit is lost or a half-written thing shows. */
  verify(store: TraceStore, state: State): void
}

export interface CrashStats {
  kills: number
  /** Kills aimed at the child's start (opening or creating the store) rather than its writes. */
  atStart: number
  /** Commits the children reported before they were killed. */
  commits: number
  /** Rounds of a CLI workload whose child finished (exit 0) before its kill. */
  finished: number
}

/**
 * The child bundled to one JS file (better-sqlite3 left external), so each of dozens of children
 * starts in ~0.1 s instead of compiling TypeScript. Kept under node_modules so it resolves packages.
 */
async function bundle(script: string): Promise<string> {
  const outfile = join(process.cwd(), 'node_modules', '.cache', 'daxlab-crash', basename(script).replace(/\.ts$/, '.mjs'))
  await build({ entryPoints: [script], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', external: ['better-sqlite3'], logLevel: 'warning' })
  return outfile
}

/**
 * Runs `kills` rounds of start, kill, check against one store file. Most kills come a random time
 * after the child reports the store open (so they land in its writes); one in eight comes a random
 * time after it starts (so some land while it opens, creates or migrates the file).
 */
export async function crashLoop<State>(workload: CrashWorkload<State>, options: { file: string; kills: number; seed: number; maxDelayMs: number; minDelayMs?: number }): Promise<CrashStats> {
  const { file, kills, seed, maxDelayMs, minDelayMs = 0 } = options
  const delay = random(seed)
  const state = workload.initial()
  const stats: CrashStats = { kills: 0, atStart: 0, commits: 0, finished: 0 }
  const bundles = new Map<string, string>()
  // A CLI child that finished before its kill shows how long the command takes: later kills are
  // aimed within that time, so they land in the work rather than after it.
  let ceiling = maxDelayMs
  for (let round = 0; round < kills; round++) {
    const { script, args } = workload.child(file, state)
    if (!bundles.has(script)) bundles.set(script, script.endsWith('.js') ? script : await bundle(script))
    const child = spawn(process.execPath, [bundles.get(script)!, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    // A CLI child spends its first few hundred ms starting Node: minDelayMs aims the kills past that.
    const wait = minDelayMs + delay(Math.max(1, ceiling - minDelayMs))
    const spawned = performance.now()
    const atStart = workload.cli === true || delay(8) === 0
    if (atStart && !workload.cli) stats.atStart++
    const startDelay = workload.cli ? wait : wait / 4
    let timer = atStart ? setTimeout(() => child.kill('SIGKILL'), startDelay) : undefined
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d
      if (timer === undefined && out.includes('"ready"')) timer = setTimeout(() => child.kill('SIGKILL'), wait)
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])))
    clearTimeout(timer)
    const context = `${workload.name}, seed ${seed}, round ${round}, killed ${atStart ? 'after start' : 'after open'} + ${atStart ? startDelay : wait} ms`
    if (workload.cli && code === 0) {
      stats.finished++
      ceiling = Math.min(ceiling, Math.round(performance.now() - spawned))
    } else {
      expect(signal, `${context}: the child ended on its own (exit ${code}): ${err}`).toBe('SIGKILL')
      stats.kills++
    }
    // Only whole lines count: a line cut by the kill was not reported.
    const lines = workload.cli ? [] : out.split('\n').slice(0, -1).map((l) => JSON.parse(l) as { op: string } & Record<string, unknown>)
    for (const line of lines) {
      if (line.op === 'ready') continue
      stats.commits++
      workload.record(state, line)
    }
    if (!existsSync(file) || statSync(file).size === 0) continue // killed before the file had a schema
    const store = TraceStore.open(file)
    try {
      const report = store.check()
      expect(report.problems, context).toEqual([])
      expect(report.ok, context).toBe(true)
      workload.verify(store, state)
    } finally {
      store.close()
    }
  }
  return stats
}
