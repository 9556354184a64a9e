/** `daxlab runs list|show`. */
import type { RunsListOptions, RunsShowOptions } from '../commands/runs'
import { withStore } from '../inputs'
import { firstRows, rowsToShow } from '../page'
import { renderRun } from '../render'
import { table } from '../table'
import { printOut } from '../terminal-text'
import { UsageError } from '../usage-error'

export function listRuns(opts: RunsListOptions): void {
  const list = withStore(opts.db, (s) => {
    // A misspelt session would otherwise look like an empty one.
    if (opts.session !== undefined && !s.listSessions().some((se) => se.name === opts.session)) throw new UsageError(`no session '${opts.session}' in ${s.path}`)
    return s.listRuns({ session: opts.session, scenario: opts.scenario, kernel: opts.kernel, limit: opts.limit })
  })
  if (opts.json) {
    process.stdout.write(JSON.stringify(list, null, 2) + '\n')
    return
  }
  if (list.length === 0) {
    printOut('no stored runs\n')
    return
  }
  printOut(
    table(
      ['id', 'scenario', 'kernel', 'arch', 'session', 'created', 'steps', 'violations', 'blocked', 'events'],
      list.map((r) => [String(r.id), r.scenario, r.kernel, `${r.arch}/${r.variant}`, r.session ?? '-', r.createdAt, String(r.steps), String(r.violations), String(r.blocked), String(r.events)]),
    ) + '\n',
  )
}

export function showRun(id: number, opts: RunsShowOptions): void {
  withStore(opts.db, (store) => {
    const run = store.getRun(id)
    if (!run) throw new UsageError(`no stored run ${id} in ${store.path}`)
    const kinds = typeof opts.events === 'string' ? opts.events.split(',').map((k) => k.trim()) : undefined
    if (opts.json) {
      const events = opts.events ? store.getEvents(run.summary.id, { kinds }) : undefined
      const payload = { run_id: run.summary.id, session: run.summary.session, ...run.result, ...(events ? { trace: events.map((e) => ({ ...e, entry: e.entry === undefined ? undefined : '0x' + e.entry.toString(16) })) } : {}) }
      process.stdout.write(JSON.stringify(payload, null, 2) + '\n')
      return
    }
    printOut(renderRun(run.result, run.summary.id, opts) + '\n')
    if (!opts.events) return
    // One event more than shown tells whether there are more, without decoding the whole trace.
    const wanted = rowsToShow(opts)
    const events = store.getEvents(run.summary.id, { kinds, limit: Number.isFinite(wanted) ? wanted + 1 : undefined })
    const { shown, more } = firstRows(events, opts)
    const rows = shown.map((e) => [String(e.seq), String(e.step), e.task, e.kind + (e.level !== 'none' ? `/${e.level}` : ''), '0x' + e.pfn.toString(16), String(e.before), e.entry !== undefined ? '0x' + e.entry.toString(16) : String(e.after), e.cause])
    const tail = more > 0 ? ['... more events (--limit N or --all to show them)'] : []
    printOut('\n' + [table(['seq', 'step', 'task', 'kind', 'pfn', 'before', 'after', 'cause'], rows), ...tail].join('\n') + '\n')
  })
}
