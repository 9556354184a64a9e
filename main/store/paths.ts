/**
 * Where the trace store lives by default: the platform's per-user data directory, the same file for
 * the CLI, the app and the web bridge so they see each other's runs. DAXLAB_DB overrides it.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, posix, resolve, win32 } from 'node:path'

export const DB_FILE_NAME = 'daxlab.sqlite'
export const APP_DIR_NAME = 'daxlab'

/** Parameters default to this process; tests pass others to check every platform from one host. */
export function defaultDbPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  const override = env.DAXLAB_DB
  if (override) return platform === process.platform ? resolve(override) : override
  if (platform === 'win32') {
    // Roaming AppData, where Electron's app.getPath('appData') points too.
    const appData = env.APPDATA || win32.join(home, 'AppData', 'Roaming')
    return win32.join(appData, APP_DIR_NAME, DB_FILE_NAME)
  }
  if (platform === 'darwin') return posix.join(home, 'Library', 'Application Support', APP_DIR_NAME, DB_FILE_NAME)
  // Linux and the other Unixes: XDG base directories. The spec says a relative XDG_DATA_HOME is invalid
  // and must be ignored.
  const xdg = env.XDG_DATA_HOME
  const dataHome = xdg && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.local', 'share')
  return posix.join(dataHome, APP_DIR_NAME, DB_FILE_NAME)
}

/**
 * Creates `dir` and its missing parents, one level at a time. Not `mkdirSync(dir, { recursive: true })`:
 * Node 20's recursive mkdir loops forever where the kernel answers ENOENT for a child of a directory
 * that exists, as /proc does (`/proc/nope/x` hung `daxlab runs list --db /proc/nope/x.sqlite`). Each
 * level here is one plain mkdir, so any failure surfaces at once with its code.
 */
export function makeFolders(dir: string): void {
  const missing: string[] = []
  let at = resolve(dir)
  while (!existsSync(at)) {
    missing.push(at)
    const parent = dirname(at)
    if (parent === at) break
    at = parent
  }
  if (existsSync(at) && !statSync(at).isDirectory()) throw new Error(`${at} is not a directory`)
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level)
    } catch (e) {
      // Another process may have made it between the check and here.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
}
