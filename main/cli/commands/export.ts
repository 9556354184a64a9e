/**
 * `daxlab export RUN|SESSION --format chrome-trace|csv|json -o FILE`: a stored run (by id) or a whole
 * session as a Perfetto/chrome://tracing trace, the event table as CSV, or the run contract JSON.
 * The file is written to a temporary name and renamed into place (actions/export.ts).
 */
import type { Command } from 'commander'

export const EXPORT_FORMATS = ['chrome-trace', 'csv', 'json'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export interface ExportOptions {
  format: string
  output: string
  db?: string
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export a stored run (id) or a session (name): chrome-trace (Perfetto UI, chrome://tracing), csv (events) or json (run contract)')
    .argument('<target>', 'run id (digits) or session name')
    .requiredOption('--format <format>', `one of ${EXPORT_FORMATS.join(', ')}`)
    .requiredOption('-o, --output <file>', 'file to write')
    .option('--db <path>', 'trace database')
    .action(async (target: string, opts: ExportOptions) => (await import('../actions/export')).exportTarget(target, opts))
}
