/**
 * `daxlab sweep`: a whole matrix of scenarios x kernels x arches (x variants) into one session, on
 * worker threads, resumable, shardable (docs/sessions.md). The work is in actions/sweep.ts.
 */
import type { Command } from 'commander'

export interface SweepOptions {
  scenarios?: string
  kernel?: string
  arch?: string
  variant?: string
  profile?: string
  session?: string
  jobs?: string
  shard?: string
  resume?: string
  db?: string
  json?: boolean
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('run a matrix of scenarios x kernels x arches into one session (skipped combinations are recorded with their reason)')
    .option('--scenarios <list>', 'comma-separated built-in names, globs (fsdax-*), files, or all')
    .option('--kernel <list>', 'comma-separated kernel releases, e.g. 6.14,6.15,6.17')
    .option('--arch <list>', 'comma-separated arches, or all (every registered arch plugin)')
    .option('--variant <list>', "page-table variants, or all; default: each arch's default (the profile's own on its arch)")
    .option('--profile <profile>', "built-in or saved profile name, or a file, for every scenario (default: each scenario's own)")
    .option('--session <name>', 'session to create (default: sweep-<UTC timestamp>)')
    .option('--jobs <n>', 'worker threads (default: the number of cores)')
    .option('--shard <I/N>', 'run only slice I of N of the matrix (merge the N archives with sessions import)')
    .option('--resume <name>', 'finish an incomplete session: run only its pending combinations')
    .option('--db <path>', 'trace database')
    .option('--json', 'print the session summary as JSON')
    .action(async (opts: SweepOptions) => (await import('../actions/sweep')).sweep(opts))
}
