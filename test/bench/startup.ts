/** CLI start-up beside a bare Node start-up: both spawned and waited for, median of warm runs. */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { median } from './measure'

const STARTS = 7

function spawnMs(args: readonly string[]): number {
  const start = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().trim()}`)
  return ms
}

/** Median ms of `node <args>`, after one untimed start that warms the file cache. */
export function startupMs(args: readonly string[]): number {
  spawnMs(args)
  return median(Array.from({ length: STARTS }, () => spawnMs(args)))
}

export function cliStartup(cliPath: string): { cli_startup_ms: number; node_startup_ms: number } {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: build the CLI first (npm run build:cli)`)
  return { cli_startup_ms: Math.round(startupMs([cliPath, '--version'])), node_startup_ms: Math.round(startupMs(['-e', '0'])) }
}
