/** `daxlab explore SCENARIO`: every interleaving of a scenario's concurrent: tasks (docs/explore.md). */
import type { Command } from 'commander'
import { kernelArg, positiveInt, wholeNumber } from '../args'

export interface ExploreCliOptions {
  kernel?: string
  arch?: string
  variant?: string
  patches?: string
  profile?: string
  maxSchedules?: number
  preemptionBound?: number
  jobs?: number
  json?: boolean
  emitSchedule?: string
  violation?: string
}

export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description("explore every interleaving of a scenario's concurrent: tasks; report each outcome and the shortest schedule per violation")
    .argument('<scenario>', 'built-in scenario name or path to a scenario file with a concurrent: block')
    .option('--kernel <version>', "kernel release (6.1 and later) or alias legacy|refcounted; default: the scenario's, else 6.17", kernelArg)
    .option('--arch <arch>', "x86, arm64, powerpc, riscv or loongarch; default: the profile's")
    .option('--variant <variant>', 'page-table variant of the arch')
    .option('--patches <edits>', "switch behavioural patches over the release's preset: +name,-name")
    .option('--profile <profile>', "built-in profile name or file; overrides the scenario's profile")
    .option('--max-schedules <n>', 'stop after this many schedule executions (the result says what was not explored)', positiveInt('--max-schedules'))
    .option('--preemption-bound <k>', 'explore only schedules with at most k preemptions', (t: string) => wholeNumber('--preemption-bound', t, 0))
    .option('--jobs <n>', 'worker threads expanding each breadth-first level (default 1; the result is the same for any N)', positiveInt('--jobs'))
    .option('--json', 'print the result as JSON (docs/explore.md#result-json)')
    .option('--emit-schedule <file>', 'write the shortest counterexample as a schedule file (replay: daxlab run --schedule)')
    .option('--violation <kind>', 'with --emit-schedule: the violation kind whose counterexample to write')
    .action(async (arg: string, opts: ExploreCliOptions) => (await import('../actions/explore')).exploreAction(arg, opts))
}
