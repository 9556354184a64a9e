// postinstall: give Electron its own build of better-sqlite3.
//
// Tests, the CLI and benchmarks run on Node's ABI; the Electron app's service process runs on
// Electron's. Rebuilding node_modules/better-sqlite3 in place would break one or the other, so the
// Electron build goes to .electron-native/ and the store loads it with better-sqlite3's `nativeBinding`
// option when it runs inside Electron (main/store/native-binding.ts).
//
// Skipped where the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1, as in CI here, or
// where its download failed: electron is an optional dependency).
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
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

/**
 * electron is an optional dependency: where its binary download fails, npm drops the whole package, and
 * with it the type declarations the Electron glue is checked against (`npm test` runs that type check).
 * Put the package back without its binary, from npm's cache, at the version the lockfile pins.
 */
function restoreElectronPackage() {
  try {
    require.resolve('electron/package.json')
    return
  } catch {
    // dropped: restore below
  }
  try {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'))
    const pinned = lock.packages?.['node_modules/electron']?.version
    if (!pinned) return
    const tmp = mkdtempSync(join(tmpdir(), 'daxlab-electron-'))
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
    const packed = spawnSync(npm, ['pack', `electron@${pinned}`, '--pack-destination', tmp, '--silent'], { cwd: tmp, encoding: 'utf8', shell: process.platform === 'win32' })
    const tarball = packed.stdout.trim().split('\n').pop()
    if (packed.status !== 0 || !tarball) throw new Error(packed.stderr || 'npm pack failed')
    const dest = join(root, 'node_modules', 'electron')
    mkdirSync(dest, { recursive: true })
    const untar = spawnSync('tar', ['-xzf', join(tmp, tarball), '-C', dest, '--strip-components=1'], { encoding: 'utf8' })
    rmSync(tmp, { recursive: true, force: true })
    if (untar.status !== 0) throw new Error(untar.stderr || 'tar failed')
    log(`restored the electron ${pinned} package without its binary (for its type declarations)`)
  } catch (err) {
    log(`could not restore the electron package (${String(err).split('\n')[0]}); the type check of main/app needs it: ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install`)
  }
}

restoreElectronPackage()
const version = process.env.ELECTRON_SKIP_BINARY_DOWNLOAD ? undefined : electronVersion()
if (!version) {
  log('Electron binary not installed: the desktop app (npm start) needs it; the CLI, the tests and the same UI in a browser (npm run web) do not.')
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
