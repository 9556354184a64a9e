import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const BIN = join(process.cwd(), 'dist/cli/daxlab.js')

function newestMtime(path: string): number {
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  return Math.max(st.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))))
}

/**
 * Builds the CLI bundle when it is missing or older than its sources (npm test builds it first; this
 * keeps `vitest run` on its own honest).
 */
export async function ensureCli(): Promise<void> {
  const sources = ['main', 'arch', 'scenarios', 'vite.cli.config.ts'].map((p) => newestMtime(join(process.cwd(), p)))
  if (existsSync(BIN) && statSync(BIN).mtimeMs >= Math.max(...sources)) return
  const { build } = await import('vite')
  await build({ configFile: join(process.cwd(), 'vite.cli.config.ts') })
}

export function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'daxlab-cli-')), 'lab.sqlite')
}

export function daxlab(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20, env: { ...process.env, DAXLAB_DB: '', ...env } })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
