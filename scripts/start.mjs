// `npm start`: the desktop app through electron-vite, or, where the Electron binary is not installed
// (its download failed or was skipped), one line pointing to the same UI in a browser.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))

function electronBinary() {
  try {
    const dir = dirname(require.resolve('electron/package.json'))
    const pathFile = join(dir, 'path.txt')
    if (!existsSync(pathFile)) return undefined
    const binary = join(dir, 'dist', readFileSync(pathFile, 'utf8'))
    return existsSync(binary) ? binary : undefined
  } catch {
    return undefined
  }
}

if (!electronBinary()) {
  process.stderr.write('daxlab: the Electron binary is not installed, so the desktop app cannot start; the same UI runs in your browser: npm run web\n')
  process.exit(1)
}
const r = spawnSync('npx', ['electron-vite', 'preview'], { cwd: root, stdio: 'inherit' })
process.exit(r.status ?? 1)
