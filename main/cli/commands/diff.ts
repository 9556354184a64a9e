/**
 * `daxlab diff A B`: the semantic diff of two sessions (names in the store, or .daxlab archives read
 * in place without importing). Exit 0 identical, 1 different, 2 error, like diff(1).
 */
import type { Command } from 'commander'

export interface DiffOptions {
  db?: string
  json?: boolean
  markdown?: boolean
  color?: boolean
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('diff two sessions (names, or .daxlab archives read without importing); exit 0 identical, 1 different, 2 error')
    .argument('<a>', 'session name or archive file')
    .argument('<b>', 'session name or archive file')
    .option('--db <path>', 'trace database holding the named sessions')
    .option('--markdown', 'print a Markdown table (for a mailing-list reply or a pull request)')
    .option('--json', 'print the diff as JSON (docs/formats.md#session-diff-json)')
    .option('--no-color', 'no colour even on a terminal')
    .action(async (a: string, b: string, opts: DiffOptions) => (await import('../actions/diff')).diff(a, b, opts))
}
