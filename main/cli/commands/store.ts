/**
 * `daxlab store check`: SQLite's integrity_check and every checksum in the trace store (docs/store.md#checking-a-store).
 * Exit 0 when everything is sound, 1 when anything is damaged (the report says what, run by run).
 */
import type { Command } from 'commander'

export interface StoreCheckOptions {
  db?: string
  json?: boolean
}

export function registerStore(program: Command): void {
  const store = program.command('store').description('the trace store file')
  store
    .command('check')
    .description('run SQLite integrity_check and verify every checksum; exit 1 if anything is damaged')
    .option('--db <path>', 'trace database')
    .option('--json', 'print the report as JSON')
    .action(async (opts: StoreCheckOptions) => (await import('../actions/store')).checkStore(opts))
}
