/** `daxlab runs list|show`: the stored runs. */
import type { Command } from 'commander'
import { EVENT_KIND_NAMES } from '../../sim/events'
import { positiveInt, runId } from '../args'

export interface RunsListOptions {
  session?: string
  scenario?: string
  kernel?: string
  limit?: number
  db?: string
  json?: boolean
}

export interface RunsShowOptions {
  db?: string
  json?: boolean
  events?: string | boolean
  limit?: number
  all?: boolean
}


export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('stored runs')
  runs
    .command('list')
    .description('list stored runs, newest first')
    .option('--session <name>', 'only runs of this session')
    .option('--scenario <name>', 'only runs of this scenario')
    .option('--kernel <version>', 'only runs under this kernel')
    .option('--limit <n>', 'at most n runs', positiveInt('--limit'))
    .option('--db <path>', 'trace database')
    .option('--json', 'print JSON')
    .action(async (opts: RunsListOptions) => (await import('../actions/runs')).listRuns(opts))
  runs
    .command('show')
    .description('show one stored run')
    .argument('<id>', 'run id', runId)
    .option('--events [kinds]', 'also print the trace events (optionally only these comma-separated kinds: ' + EVENT_KIND_NAMES.join(',') + ')')
    .option('--db <path>', 'trace database')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'rows per table in the text output (default 50)', positiveInt('--limit'))
    .option('--all', 'every row of every table in the text output')
    .action(async (id: number, opts: RunsShowOptions) => (await import('../actions/runs')).showRun(id, opts))
}
