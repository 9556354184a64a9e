// Builds the app (`electron-vite build`: out/main, out/preload, out/renderer) when out/ is missing or
// older than any source it is built from. Used by `npm run web` and the e2e tests' global setup; never
// needs the Electron binary.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const OUTPUTS = ['out/renderer/index.html', 'out/preload/index.cjs', 'out/main/index.js']
const SOURCES = ['renderer', 'preload', 'main', 'arch', 'scenarios', 'electron.vite.config.ts', 'package.json']

function newestMtime(path) {
  const info = statSync(path)
  if (!info.isDirectory()) return info.mtimeMs
  let newest = info.mtimeMs
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

/** True when out/ is missing or older than its sources. */
export function appBuildIsStale(root) {
  const outputs = OUTPUTS.map((p) => join(root, p))
  if (outputs.some((p) => !existsSync(p))) return true
  return Math.min(...outputs.map((p) => statSync(p).mtimeMs)) < Math.max(...SOURCES.map((p) => newestMtime(join(root, p))))
}

/** Runs `electron-vite build` in `root` if the build is stale; returns whether it built. */
export function buildAppIfStale(root) {
  if (!appBuildIsStale(root)) return false
  execFileSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit', timeout: 300_000 })
  return true
}
