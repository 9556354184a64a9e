/**
 * `daxlab serve`: the app's UI in any browser, on 127.0.0.1, backed by the same services and database
 * as the CLI (the Electron window is the other host). Serves the built renderer from out/renderer.
 */
import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLabService } from '../../services/lab-service'
import { startWebBridge } from '../../web/bridge'
import { dbPathFrom } from '../inputs'
import { UsageError } from './compare'

/** out/renderer of the installed package: next to dist/cli/ where this bundle lives. */
function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  return resolve(here, '..', '..', 'out', 'renderer')
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the lab UI on 127.0.0.1 (build it first with `npm run build`)')
    .option('--port <port>', 'port (default: a free one)', (v) => Number.parseInt(v, 10))
    .option('--db <path>', 'trace database')
    .action(async (opts: { port?: number; db?: string }) => {
      const dir = rendererDir()
      if (!existsSync(join(dir, 'index.html'))) throw new UsageError(`no built UI at ${dir}: run \`npm run build\` first`)
      const service = createLabService({ dbPath: dbPathFrom(opts.db) })
      const bridge = await startWebBridge({ service, port: opts.port ?? 0, rendererDir: dir })
      process.stdout.write(`daxlab UI at ${bridge.pageUrl} (Ctrl-C to stop)\n`)
      const stop = () => {
        void bridge.close().finally(() => {
          service.close()
          process.exit(0)
        })
      }
      process.on('SIGINT', stop)
      process.on('SIGTERM', stop)
      await new Promise(() => {})
    })
}
