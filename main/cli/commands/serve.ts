/**
 * `daxlab serve`: the app's UI in any browser, on 127.0.0.1, backed by the same services and database
 * as the CLI (the Electron window is the other host). Serves the built renderer from out/renderer.
 */
import type { Command } from 'commander'
import { port } from '../args'

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the lab UI on 127.0.0.1 (build it first with `npm run build`)')
    .option('--port <port>', 'port (default: a free one)', port)
    .option('--db <path>', 'trace database')
    .action(async (opts: { port?: number; db?: string }) => (await import('../actions/serve')).serve(opts))
}
