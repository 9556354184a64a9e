/** Shared fixtures for the store tests: temp directories and real runs of built-in scenarios. */
import Database from 'better-sqlite3'
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { builtinScenario, builtinScenarioText, resolveProfile } from '../../main/library/index'
import { EVENT_KIND_NAMES, EventKind } from '../../main/sim/events'
import { runScenario } from '../../main/sim/run'
import { Trace } from '../../main/sim/trace'
import type { SaveRunInput } from '../../main/store/types'

const dirs: string[] = []

/** A fresh temp directory, removed after the current test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-store-'))
  dirs.push(dir)
  return dir
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** Runs a built-in scenario and packages it the way the CLI would hand it to saveRun. */
export function realRun(name: string, kernel = '6.17', session?: string): SaveRunInput {
  const scenario = builtinScenario(name)
  if (!scenario) throw new Error(`no built-in scenario '${name}'`)
  const profile = resolveProfile(scenario, name)
  const { result, trace } = runScenario(scenario, profile, { kernel })
  return { result, trace, scenarioText: builtinScenarioText(name)!.text, profile, ...(session !== undefined ? { session } : {}) }
}

/**
 * A real run's result and profile with a synthetic trace of `n` events cycling through every kind,
 * three tasks and steps 0..n/16, for chunking and filter tests (built-in scenarios log only a few dozen).
 */
export function syntheticRun(n: number, base: SaveRunInput = realRun('fsdax-pin-unpin')): SaveRunInput {
  const trace = new Trace()
  for (let i = 0; i < n; i++) {
    trace.setContext(Math.floor(i / 16), ['main', 'dio', 'truncate'][i % 3]!)
    const kind = (i * 7) % EVENT_KIND_NAMES.length
    trace.emit(kind as EventKind, 0x240000 + (i % 512), i % 5, (i % 5) + 1, `cause ${i % 10}`, LEVELS[i % 4]!, kind === EventKind.ENTRY_SET ? 0x8000_0000_0000_0000n | BigInt(i) : 0n)
  }
  return { ...base, trace, result: { ...base.result, events: n } }
}

const LEVELS = ['none', 'pte', 'pmd', 'pud'] as const

/**
 * Overwrites the first bytes of the root page of table or index `name` with page type 0 (not a
 * b-tree page): damage that only a query reaching that page, or SQLite's checks, can see.
 */
export function breakRootPage(file: string, name: string): void {
  const db = new Database(file, { readonly: true })
  const root = db.prepare('SELECT rootpage FROM sqlite_schema WHERE name = ?').pluck().get(name) as number
  const pageSize = db.pragma('page_size', { simple: true }) as number
  db.close()
  const fd = openSync(file, 'r+')
  writeSync(fd, Buffer.from([0x00, 0xff, 0xff, 0x7f]), 0, 4, (root - 1) * pageSize)
  closeSync(fd)
}
