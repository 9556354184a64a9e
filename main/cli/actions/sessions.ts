/** `daxlab sessions list|show|rename|delete|note` (docs/sessions.md). */
import { SessionError, SessionStore } from '../../store/sessions/session-store'
import type { SessionsListOptions, SessionsShowOptions } from '../commands/sessions'
import { withStore } from '../inputs'
import { firstRows, moreLine } from '../page'
import { table } from '../table'
import { printOut } from '../terminal-text'
import { UsageError } from '../usage-error'
import { describeSession } from './session-line'

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

const print = (text: string): void => printOut(text + '\n')
const printJson = (value: unknown): void => void process.stdout.write(JSON.stringify(value, null, 2) + '\n')

export function listSessions(opts: SessionsListOptions): void {
  const all = withSessions(opts.db, (s) => s.list())
  if (opts.json) return printJson(all)
  if (all.length === 0) return print('no sessions')
  const { shown, more } = firstRows(all, opts)
  const rows = shown.map((i) => [i.name, i.state, i.createdAt, String(i.runs), String(i.items.skipped), String(i.items.failed), String(i.items.pending), i.note.split('\n')[0]!.slice(0, 60)])
  print([table(['name', 'state', 'created', 'runs', 'skipped', 'failed', 'pending', 'note'], rows), ...moreLine(more, 'sessions')].join('\n'))
}

export function showSession(name: string, opts: SessionsShowOptions): void {
  withSessions(opts.db, (s) => {
    const info = s.require(name)
    const items = s.items(name)
    const runs = s.runsOf(name)
    if (opts.json) return printJson({ ...info, combinations: items, runs })
    const parts = [describeSession(info), `created ${info.createdAt}`]
    if (info.note) parts.push('note:', ...info.note.split('\n').map((l) => '  ' + l))
    if (info.plan) parts.push(`plan: ${JSON.stringify(info.plan)}`)
    if (items.length > 0) {
      const { shown, more } = firstRows(items, opts)
      const rows = shown.map((i) => [String(i.idx), i.scenario, i.kernel, `${i.arch}/${i.variant}`, i.profile, i.status, i.runId === null ? '-' : String(i.runId), i.reason ?? ''])
      parts.push('', table(['#', 'scenario', 'kernel', 'arch', 'profile', 'status', 'run', 'reason'], rows), ...moreLine(more, 'combinations'))
    } else if (runs.length > 0) {
      const { shown, more } = firstRows(runs, opts)
      parts.push('', table(['run', 'scenario', 'kernel', 'arch', 'profile'], shown.map((r) => [String(r.id), r.scenario, r.kernel, `${r.arch}/${r.variant}`, r.profile])), ...moreLine(more, 'runs'))
    }
    print(parts.join('\n'))
  })
}

export function renameSession(name: string, to: string, opts: { db?: string }): void {
  withSessions(opts.db, (s) => s.rename(name, to))
  print(`renamed session '${name}' to '${to}'`)
}

export function deleteSession(name: string, opts: { db?: string }): void {
  const runs = withSessions(opts.db, (s) => s.delete(name))
  print(`deleted session '${name}' and its ${runs} runs`)
}

export function sessionNote(name: string, text: string[], opts: { db?: string }): void {
  withSessions(opts.db, (s) => {
    if (text.length === 0) return print(s.require(name).note)
    s.setNote(name, text.join(' '))
    print(`note of session '${name}' set`)
  })
}
