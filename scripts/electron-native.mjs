// postinstall: give Electron its own build of better-sqlite3.
//
// Tests, the CLI and benchmarks run on Node's ABI; the Electron app's service process runs on
// Electron's. Rebuilding node_modules/better-sqlite3 in place would break one or the other, so the
// Electron build goes to .electron-native/ and the store loads it with better-sqlite3's `nativeBinding`
// option when it runs inside Electron (main/store/native-binding.ts).
//
// Skipped where the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1, as in CI here).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))
const log = (msg) => process.stderr.write(`daxlab postinstall: ${msg}\n`)

function electronVersion() {
  try {
    const pkgDir = dirname(require.resolve('electron/package.json'))
    if (!existsSync(join(pkgDir, 'path.txt'))) return undefined // binary not downloaded
    return JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version
  } catch {
    return undefined
  }
}

const version = process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ? undefined : electronVersion()
if (!version) {
  log('Electron binary not installed; skipping the Electron build of better-sqlite3 (CLI and tests use the Node build).')
  process.exit(0)
}

const target = join(root, '.electron-native')
const source = dirname(require.resolve('better-sqlite3/package.json'))
const work = join(target, 'better-sqlite3')
rmSync(target, { recursive: true, force: true })
mkdirSync(target, { recursive: true })
cpSync(source, work, { recursive: true })
rmSync(join(work, 'build'), { recursive: true, force: true })
// better-sqlite3 publishes prebuilt binaries per Electron ABI; prebuild-install (its own dependency)
// fetches the one for this Electron version from the package's configured release host.
const prebuild = join(dirname(require.resolve('prebuild-install/package.json')), 'bin.js')
log(`fetching better-sqlite3 for Electron ${version} (${process.platform}-${process.arch}) into .electron-native/ ...`)
const result = spawnSync(process.execPath, [prebuild, '--runtime', 'electron', '--target', version, '--arch', process.arch, '--verbose'], { cwd: work, stdio: 'inherit' })
const binary = join(work, 'build', 'Release', 'better_sqlite3.node')
if (result.status === 0 && existsSync(binary)) {
  cpSync(binary, join(target, 'better_sqlite3.node'))
  log('done')
} else {
  log('could not fetch a prebuilt binary for this Electron version. The CLI and tests are unaffected; for the app, run')
  log('  npx @electron/rebuild -f -w better-sqlite3 -m .electron-native/better-sqlite3 && cp .electron-native/better-sqlite3/build/Release/better_sqlite3.node .electron-native/')
}
