/**
 * Which better-sqlite3 native build to load. Under Node (CLI, tests, benchmarks) the package's own
 * build; inside Electron the one scripts/electron-native.mjs prepared for Electron's ABI in
 * .electron-native/, because one addon cannot serve both ABIs. The app passes its path as
 * DAXLAB_SQLITE_BINDING (main/app/lifecycle.ts); the working directory is only a last guess.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export function nativeBindingPath(): string | undefined {
  if (process.env.DAXLAB_SQLITE_BINDING) return process.env.DAXLAB_SQLITE_BINDING
  if (!process.versions.electron) return undefined
  const candidate = join(process.cwd(), '.electron-native', 'better_sqlite3.node')
  return existsSync(candidate) ? candidate : undefined
}
