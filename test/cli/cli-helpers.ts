import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const BIN = join(process.cwd(), 'dist/cli/daxlab.js')

/** Builds the CLI bundle when it is missing (npm test builds it first; this keeps vitest standalone). */
export async function ensureCli(): Promise<void> {
  if (existsSync(BIN)) return
  const { build } = await import('vite')
  await build({ configFile: join(process.cwd(), 'vite.cli.config.ts') })
}

export function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'daxlab-cli-')), 'lab.sqlite')
}

export function daxlab(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, DAXLAB_DB: '', ...env } })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
