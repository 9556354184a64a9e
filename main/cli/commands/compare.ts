/**
 * `daxlab compare SCENARIO --kernel 6.14,6.17` runs a scenario under several kernels (or arches) and
 * lines the steps up; `daxlab compare ID ID` compares two stored runs.
 */
import type { Command } from 'commander'
import { kernelList, positiveInt } from '../args'

export interface CompareOptions {
  kernel?: string[]
  arch?: string
  variant?: string
  patches?: string
  profile?: string
  db?: string
  json?: boolean
  force?: boolean
  limit?: number
  all?: boolean
}

/** Kept here too: command files import it from './compare'. */
export { UsageError } from '../usage-error'

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare a scenario across kernels/arches, or two stored runs, step by step')
    .argument('<targets...>', 'a scenario (name or file), or two stored run ids')
    .option('--kernel <list>', 'comma-separated kernel releases, e.g. 6.14,6.17 (default: legacy,refcounted)', kernelList)
    .option('--arch <list>', 'comma-separated arches (default: the profile\'s)')
    .option('--variant <variant>', 'page-table variant')
    .option('--patches <edits>', "switch behavioural patches over each release's preset: +name,-name (daxlab patches list)")
    .option('--profile <profile>', 'built-in or saved profile name (daxlab profiles list), or a file')
    .option('--db <path>', 'trace database, for stored run ids')
    .option('--json', 'print the comparison as JSON')
    .option('--force', 'line up stored runs of different scenarios step by step anyway')
    .option('--limit <n>', 'rows per table in the text output (default 50)', positiveInt('--limit'))
    .option('--all', 'every row of every table in the text output')
    .action(async (targets: string[], opts: CompareOptions) => (await import('../actions/compare')).compare(targets, opts))
}
