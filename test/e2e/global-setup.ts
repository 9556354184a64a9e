/**
 * Builds the app (`electron-vite build`) before the e2e tests when out/ is missing or older than any
 * source the renderer or preload is built from. Takes a few seconds; never needs the Electron binary.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')
const OUTPUTS = ['out/renderer/index.html', 'out/preload/index.cjs', 'out/main/index.js']
const SOURCES = ['renderer', 'preload', 'main', 'arch', 'scenarios', 'electron.vite.config.ts', 'package.json']

function newestMtime(path: string): number {
  const info = statSync(path)
  if (!info.isDirectory()) return info.mtimeMs
  let newest = info.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

export default function setup(): void {
  const outputs = OUTPUTS.map((p) => join(ROOT, p))
  const stale =
    outputs.some((p) => !existsSync(p)) ||
    Math.min(...outputs.map((p) => statSync(p).mtimeMs)) < Math.max(...SOURCES.map((p) => newestMtime(join(ROOT, p))))
  if (!stale) return
  execFileSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
    timeout: 120_000,
  })
}
