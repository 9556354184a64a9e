/** `daxlab run SCENARIO`: run a scenario under one kernel and arch; store it unless --no-store. */
import type { Command } from 'commander'
import { kernelArg, positiveInt } from '../args'

export interface RunOptions {
  kernel?: string
  arch?: string
  variant?: string
  patches?: string
  profile?: string
  session?: string
  db?: string
  store: boolean
  json?: boolean
  limit?: number
  all?: boolean
  schedule?: string
  emitSchedule?: string
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a scenario (built-in name or YAML/JSON file) under a kernel release and arch')
    .argument('<scenario>', 'built-in or saved scenario name, or path to a scenario file')
    .option('--kernel <version>', 'kernel release (6.1 and later) or alias legacy|refcounted; default: the scenario\'s, else 6.17', kernelArg)
    .option('--arch <arch>', 'x86, arm64, powerpc, riscv or loongarch; default: the profile\'s')
    .option('--variant <variant>', 'page-table variant of the arch (e.g. 5-level, 16K, hash-64k, sv48)')
    .option('--patches <edits>', "switch behavioural patches over the release's preset: +name,-name (daxlab patches list)")
    .option('--profile <profile>', 'built-in or saved profile name (daxlab profiles list), or a file; overrides the scenario\'s profile')
    .option('--session <name>', 'group the stored run under a session')
    .option('--db <path>', 'trace database (default: the user data directory, or $DAXLAB_DB)')
    .option('--no-store', 'do not write the run to the database')
    .option('--json', 'print the run result as JSON')
    .option('--limit <n>', 'rows per table in the text output (default 50)', positiveInt('--limit'))
    .option('--all', 'every row of every table in the text output')
    .option('--schedule <file>', 'replay a schedule file for the concurrent: block (daxlab explore --emit-schedule; docs/explore.md)')
    .option('--emit-schedule <file>', 'write the schedule the concurrent: block ran (a schedule file)')
    // Loaded on use: `daxlab --version` and `--help` never load the engine, yaml, zod or SQLite.
    .action(async (arg: string, opts: RunOptions) => (await import('../actions/run')).run(arg, opts))
}
