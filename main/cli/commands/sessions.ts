/** `daxlab sessions list|show|rename|delete|note|export|import` (docs/sessions.md). */
import type { Command } from 'commander'
import { SessionError, SessionStore, type SessionInfo } from '../../store/sessions/session-store'
import { withStore } from '../inputs'
import { table } from '../table'
import { UsageError } from './compare'
import { registerArchiveCommands } from './sessions-archive'

export function describeSession(info: SessionInfo): string {
  const counts = info.items
  const matrix =
    info.planned === null
      ? `${info.runs} runs (not a sweep)`
      : `${info.planned} combinations: ${counts.done} run, ${counts.skipped} skipped, ${counts.failed} failed, ${counts.pending} pending` +
        (counts.done + counts.skipped + counts.failed + counts.pending < info.planned ? ` (this store holds ${counts.done + counts.skipped + counts.failed + counts.pending}: a shard)` : '')
  return `session ${info.name}: ${info.state}, ${matrix}`
}

/** Runs fn with the session store, turning "no such session" and bad names into usage errors (exit 2). */
export function withSessions<T>(db: string | undefined, fn: (sessions: SessionStore) => T): T {
  return withStore(db, (store) => {
    try {
      return fn(new SessionStore(store))
    } catch (e) {
      if (e instanceof SessionError) throw new UsageError(e.message)
      throw e
    }
  })
}

const print = (text: string): void => void process.stdout.write(text + "\n")

export function registerSessions(program: Command): void {
  const sessions = program.command('sessions').description('trace sessions: named sets of runs with their sweep matrix, a note and a state')
  sessions
    .command('list')
    .description('list sessions')
    .option('--db <path>', 'trace database')
    .option('--json', 'print JSON')
    .action((opts: { db?: string; json?: boolean }) => {
      const all = withSessions(opts.db, (s) => s.list())
      if (opts.json) return print(JSON.stringify(all, null, 2))
      if (all.length === 0) return print('no sessions')
      print(
        table(
          ['name', 'state', 'created', 'runs', 'skipped', 'failed', 'pending', 'note'],
          all.map((i) => [i.name, i.state, i.createdAt, String(i.runs), String(i.items.skipped), String(i.items.failed), String(i.items.pending), i.note.split('\n')[0]!.slice(0, 60)]),
        ),
      )
    })
  sessions
    .command('show')
    .description('show a session: its state, note and every combination with its run or the reason it was not run')
    .argument('<name>', 'session name')
    .option('--db <path>', 'trace database')
    .option('--json', 'print JSON')
    .action((name: string, opts: { db?: string; json?: boolean }) => {
      withSessions(opts.db, (s) => {
        const info = s.require(name)
        const items = s.items(name)
        const runs = s.runsOf(name)
        if (opts.json) return print(JSON.stringify({ ...info, combinations: items, runs }, null, 2))
        const parts = [describeSession(info), `created ${info.createdAt}`]
        if (info.note) parts.push('note:', ...info.note.split('\n').map((l) => '  ' + l))
        if (info.plan) parts.push(`plan: ${JSON.stringify(info.plan)}`)
        if (items.length > 0) {
          parts.push(
            '',
            table(
              ['#', 'scenario', 'kernel', 'arch', 'profile', 'status', 'run', 'reason'],
              items.map((i) => [String(i.idx), i.scenario, i.kernel, `${i.arch}/${i.variant}`, i.profile, i.status, i.runId === null ? '-' : String(i.runId), i.reason ?? '']),
            ),
          )
        } else if (runs.length > 0) {
          parts.push('', table(['run', 'scenario', 'kernel', 'arch', 'profile'], runs.map((r) => [String(r.id), r.scenario, r.kernel, `${r.arch}/${r.variant}`, r.profile])))
        }
        print(parts.join('\n'))
      })
    })
  sessions
    .command('rename')
    .description('rename a session')
    .argument('<name>', 'current name')
    .argument('<new-name>', 'new name')
    .option('--db <path>', 'trace database')
    .action((name: string, to: string, opts: { db?: string }) => {
      withSessions(opts.db, (s) => s.rename(name, to))
      print(`renamed session '${name}' to '${to}'`)
    })
  sessions
    .command('delete')
    .description('delete a session with its runs')
    .argument('<name>', 'session name')
    .option('--db <path>', 'trace database')
    .action((name: string, opts: { db?: string }) => {
      const runs = withSessions(opts.db, (s) => s.delete(name))
      print(`deleted session '${name}' and its ${runs} runs`)
    })
  sessions
    .command('note')
    .description("set a session's free-text note (no text: print it)")
    .argument('<name>', 'session name')
    .argument('[text...]', 'the note; an empty string clears it')
    .option('--db <path>', 'trace database')
    .action((name: string, text: string[], opts: { db?: string }) => {
      withSessions(opts.db, (s) => {
        if (text.length === 0) return print(s.require(name).note)
        s.setNote(name, text.join(' '))
        print(`note of session '${name}' set`)
      })
    })
  registerArchiveCommands(sessions, program.version() ?? '0')
}
