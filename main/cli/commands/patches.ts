/**
 * `daxlab patches list [--json] [--kernel <release>]`: the behavioural patches the engine switches on
 * and off (main/sim/patches.ts), each with its commit or title, the release it landed in and its
 * source; with --kernel, whether that release's preset has it.
 */
import type { Command } from 'commander'

export interface PatchesListOptions {
  kernel?: string
  json?: boolean
}

export function registerPatches(program: Command): void {
  const patches = program.command('patches').description('behavioural patches of the refcount series, and which releases have them')
  patches
    .command('list')
    .option('--kernel <release>', 'also say whether this release (alias, or named model such as proposal-2022) has each patch')
    .option('--json', 'print JSON')
    .action(async (opts: PatchesListOptions) => (await import('../actions/patches')).listPatches(opts))
}
