/** `daxlab serve`: starts the web bridge and runs until SIGINT/SIGTERM. */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createLabService } from '../../services/lab-service'
import { startWebBridge } from '../../web/bridge'
import { dbPathFrom } from '../inputs'
import { printOut } from '../terminal-text'
import { UsageError } from '../usage-error'

/** out/renderer of the installed package: this chunk sits in dist/cli/, two levels below the root (vite.cli.config.ts). */
function rendererDir(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  return resolve(here, '..', '..', 'out', 'renderer')
}

export async function serve(opts: { port?: number; db?: string }): Promise<void> {
  const dir = rendererDir()
  if (!existsSync(join(dir, 'index.html'))) throw new UsageError(`no built UI at ${dir}: run \`npm run build\` first`)
  const service = createLabService({ dbPath: dbPathFrom(opts.db) })
  const bridge = await startWebBridge({ service, port: opts.port ?? 0, rendererDir: dir })
  printOut(`daxlab UI at ${bridge.pageUrl} (Ctrl-C to stop)\n`)
  const stop = () => {
    void bridge.close().finally(() => {
      service.close()
      process.exit(0)
    })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  await new Promise(() => {})
}
