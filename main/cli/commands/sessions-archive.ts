/** `daxlab sessions export NAME -o FILE.daxlab` and `daxlab sessions import FILE [--as NAME]` (docs/sessions.md#archive). */
import type { Command } from 'commander'

export interface SessionsExportOptions {
  output: string
  db?: string
  json?: boolean
}

export interface SessionsImportOptions {
  as?: string
  db?: string
  json?: boolean
}

export function registerArchiveCommands(sessions: Command, labVersion: string): void {
  sessions
    .command('export')
    .description('write a session with its runs, events, profiles and scenarios to one self-contained .daxlab archive')
    .argument('<name>', 'session name')
    .requiredOption('-o, --output <file>', 'archive file to write (replaced atomically if it exists)')
    .option('--db <path>', 'trace database')
    .option('--json', 'print the outcome as JSON')
    .action(async (name: string, opts: SessionsExportOptions) => (await import('../actions/sessions-archive')).exportArchive(name, opts, labVersion))
  sessions
    .command('import')
    .description('import a .daxlab archive (shards of one sweep merge into one session)')
    .argument('<file>', 'archive file')
    .option('--as <name>', 'import under this session name')
    .option('--db <path>', 'trace database')
    .option('--json', 'print the outcome as JSON')
    .action(async (file: string, opts: SessionsImportOptions) => (await import('../actions/sessions-archive')).importArchiveFile(file, opts))
}
