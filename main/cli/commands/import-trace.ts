/**
 * `daxlab import-trace FILE`: an ftrace text log (tracefs trace/trace_pipe or trace-cmd report, plain
 * or gzip) stored as a run of kind `trace` (docs/trace-import.md). Skipped lines are reported with
 * their line number and reason; they never stop the import.
 */
import type { Command } from 'commander'

export interface ImportTraceOptions {
  session?: string
  kernel?: string
  arch?: string
  name?: string
  fsdaxPfns?: string
  toScenario?: string
  db?: string
  json?: boolean
}

export function registerImportTrace(program: Command): void {
  program
    .command('import-trace')
    .description('import an ftrace log of page_ref and fs_dax events (tracefs or trace-cmd report text, plain or gzip) as a run')
    .argument('<file>', 'trace text file')
    .option('--session <name>', 'group the stored run under a session')
    .option('--kernel <version>', 'kernel release the trace was recorded on (6.1 and later, or legacy|refcounted)')
    .option('--arch <arch>', 'arch of the traced machine (default x86)')
    .option('--name <name>', 'run name (default: the file name); stored as scenario trace:NAME')
    .option('--fsdax-pfns <ranges>', 'pfns of the FS DAX namespaces, e.g. 0x240000-0x27ffff,0x300000 (traces from 5.15 on name none)')
    .option('--to-scenario <out.yaml>', 'also write the scenario the trace suggests (files, mappings, faults, GUP, munmap) and replay it beside the trace')
    .option('--db <path>', 'trace database (default: the user data directory, or $DAXLAB_DB)')
    .option('--json', 'print {run_id, lines, events, skipped: [{line, reason}], skipped_more, scenario?}')
    .action(async (file: string, opts: ImportTraceOptions) => (await import('../actions/import-trace')).importTrace(file, opts))
}
