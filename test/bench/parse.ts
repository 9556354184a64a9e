/**
 * Scenario parsing through main/formats' public loader (parseScenarioText), at 1k, 10k and 100k steps
 * to show whether time and memory grow linearly. Each size runs in a child process (the bench bundle
 * with --parse-child) so its peak RSS is its own and a parse that runs away can be stopped: a size that
 * does not finish within its time limit is reported as null with the reason.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseScenarioText } from '../../main/formats/load'
import { childFigure } from './child'
import { median, RUNS } from './measure'

export const PARSE_SIZES = [1_000, 10_000, 100_000] as const
/** Wall-clock limit per size, so the whole bench stays within about three minutes. */
const LIMIT_MS = 45_000
/** A child stops repeating once its runs took this long (it still reports the median of what it ran). */
const REPEAT_BUDGET_MS = 15_000

/** A valid scenario of `steps` steps: the usual fault/GUP/release/probe vocabulary on a built-in profile. */
export function scenarioText(steps: number): string {
  const lines = ['name: bench-parse', 'description: many steps', 'profile: x86-pmem-fsdax', 'steps:', '  - create: {file: /mnt/pmem0/a, length: 64MiB}', '  - mmap: {id: m, file: /mnt/pmem0/a, length: 64MiB}']
  for (let i = lines.length - 4; i < steps; i++) {
    const off = (i % 16384) * 4096
    switch (i % 4) {
      case 0:
        lines.push(`  - access: {map: m, offset: ${off}, write: ${i % 8 === 0}}`)
        break
      case 1:
        lines.push(`  - gup: {id: g${i}, map: m, offset: ${off}, pages: 4, pin: true}`)
        break
      case 2:
        lines.push(`  - unpin: {gup: g${i - 1}}`)
        break
      default:
        lines.push(`  - probe: {label: p${i}, map: m, offset: ${off}}`)
    }
  }
  return lines.join('\n') + '\n'
}

export interface ParseFigure {
  readonly ms: number | null
  readonly peak_mb: number | null
  readonly runs: number
  readonly note?: string
}

/** Child side: parse the file RUNS times after a small warm-up; print {ms, peak_mb, runs}. */
export function parseChild(file: string, steps: number): void {
  const text = readFileSync(file, 'utf8')
  parseScenarioText(scenarioText(200), 'warm.yaml')
  const baseRss = process.memoryUsage().rss
  const times: number[] = []
  let spent = 0
  for (let i = 0; i < RUNS && (i === 0 || spent < REPEAT_BUDGET_MS); i++) {
    const start = performance.now()
    const scenario = parseScenarioText(text, file)
    const ms = performance.now() - start
    if (scenario.steps.length !== steps) throw new Error(`parsed ${scenario.steps.length} steps, expected ${steps}`)
    times.push(ms)
    spent += ms
  }
  const peakMb = (peakRssBytes() - baseRss) / 2 ** 20
  process.stdout.write(JSON.stringify({ ms: median(times), peak_mb: Math.max(0, peakMb), runs: times.length }) + '\n')
}

/**
 * This process's peak RSS. Linux keeps getrusage()'s ru_maxrss across execve, so a child spawned from
 * a big parent would report the parent's peak; VmHWM belongs to the new address space.
 */
export function peakRssBytes(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))
    if (hwm) return Number(hwm[1]) * 1024
  } catch {
    // not Linux: fall back to ru_maxrss
  }
  return process.resourceUsage().maxRSS * 1024
}

export function parseFigures(benchBundle: string): Record<number, ParseFigure> {
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-parse-'))
  const out: Record<number, ParseFigure> = {}
  try {
    for (const steps of PARSE_SIZES) {
      const file = join(dir, `s${steps}.yaml`)
      writeFileSync(file, scenarioText(steps))
      const r = childFigure<{ ms: number; peak_mb: number; runs: number }>(benchBundle, ['--parse-child', file, String(steps)], LIMIT_MS)
      if ('note' in r) {
        out[steps] = { ms: null, peak_mb: null, runs: 0, note: r.note }
        continue
      }
      const f = r.value
      out[steps] = { ms: Math.round(f.ms), peak_mb: Math.round(f.peak_mb), runs: f.runs }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return out
}
