// `npm run web [-- --port N] [-- --db PATH]`: the lab in a browser. Builds the app and the CLI when
// they are missing or stale, then runs `daxlab serve`, which prints the URL to open (with this
// launch's token in it) and serves the renderer with the real services on 127.0.0.1.
import { spawn } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { appBuildIsStale, buildAppIfStale } from './app-build.mjs'

const root = resolve(import.meta.dirname, '..')
const cli = join(root, 'dist/cli/daxlab.js')
const appWasStale = appBuildIsStale(root)
buildAppIfStale(root)
// The CLI bundle holds the services and the bridge: rebuild it with the app (same sources).
if (appWasStale || !existsSync(cli) || statSync(cli).mtimeMs < statSync(join(root, 'out/main/index.js')).mtimeMs) {
  await import('./build-cli.mjs')
}
const child = spawn(process.execPath, [cli, 'serve', ...process.argv.slice(2)], { stdio: 'inherit' })
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
