/** `daxlab sessions list|show|rename|delete|note|export|import` (docs/sessions.md). */
import type { Command } from 'commander'
import { positiveInt } from '../args'
import { registerArchiveCommands } from './sessions-archive'

export interface SessionsListOptions {
  db?: string
  json?: boolean
  limit?: number
  all?: boolean
}

export type SessionsShowOptions = SessionsListOptions

const actions = () => import('../actions/sessions')

export function registerSessions(program: Command): void {
  const sessions = program.command('sessions').description('trace sessions: named sets of runs with their sweep matrix, a note and a state')
  sessions
    .command('list')
    .description('list sessions')
    .option('--db <path>', 'trace database')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'rows in the text output (default 50)', positiveInt('--limit'))
    .option('--all', 'every row in the text output')
    .action(async (opts: SessionsListOptions) => (await actions()).listSessions(opts))
  sessions
    .command('show')
    .description('show a session: its state, note and every combination with its run or the reason it was not run')
    .argument('<name>', 'session name')
    .option('--db <path>', 'trace database')
    .option('--json', 'print JSON')
    .option('--limit <n>', 'rows in the text output (default 50)', positiveInt('--limit'))
    .option('--all', 'every row in the text output')
    .action(async (name: string, opts: SessionsShowOptions) => (await actions()).showSession(name, opts))
  sessions
    .command('rename')
    .description('rename a session')
    .argument('<name>', 'current name')
    .argument('<new-name>', 'new name')
    .option('--db <path>', 'trace database')
    .action(async (name: string, to: string, opts: { db?: string }) => (await actions()).renameSession(name, to, opts))
  sessions
    .command('delete')
    .description('delete a session with its runs')
    .argument('<name>', 'session name')
    .option('--db <path>', 'trace database')
    .action(async (name: string, opts: { db?: string }) => (await actions()).deleteSession(name, opts))
  sessions
    .command('note')
    .description("set a session's free-text note (no text: print it)")
    .argument('<name>', 'session name')
    .argument('[text...]', 'the note; an empty string clears it')
    .option('--db <path>', 'trace database')
    .action(async (name: string, text: string[], opts: { db?: string }) => (await actions()).sessionNote(name, text, opts))
  registerArchiveCommands(sessions, program.version() ?? '0')
}
