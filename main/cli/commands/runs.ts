/** `daxlab runs list|show`: the stored runs. */
import type { Command } from 'commander'
import { EVENT_KIND_NAMES } from '../../sim/events'
import { withStore } from '../inputs'
import { renderRun } from '../render'
import { table } from '../table'
import { UsageError } from './compare'

export function registerRuns(program: Command): void {
  const runs = program.command('runs').description('stored runs')
  runs
    .command('list')
    .description('list stored runs, newest first')
    .option('--session <name>', 'only runs of this session')
    .option('--scenario <name>', 'only runs of this scenario')
    .option('--kernel <version>', 'only runs under this kernel')
    .option('--limit <n>', 'at most n runs', (v) => Number.parseInt(v, 10))
    .option('--db <path>', 'trace database')
    .option('--json', 'print JSON')
    .action((opts: { session?: string; scenario?: string; kernel?: string; limit?: number; db?: string; json?: boolean }) => {
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
        process.stdout.write('no stored runs\n')
        return
      }
      process.stdout.write(
        table(
          ['id', 'scenario', 'kernel', 'arch', 'session', 'created', 'steps', 'violations', 'blocked', 'events'],
          list.map((r) => [String(r.id), r.scenario, r.kernel, `${r.arch}/${r.variant}`, r.session ?? '-', r.createdAt, String(r.steps), String(r.violations), String(r.blocked), String(r.events)]),
        ) + '\n',
      )
    })
  runs
    .command('show')
    .description('show one stored run')
    .argument('<id>', 'run id')
    .option('--events [kinds]', 'also print the trace events (optionally only these comma-separated kinds: ' + EVENT_KIND_NAMES.join(',') + ')')
    .option('--db <path>', 'trace database')
    .option('--json', 'print JSON')
    .action((id: string, opts: { db?: string; json?: boolean; events?: string | boolean }) => {
      withStore(opts.db, (store) => {
        const run = store.getRun(Number(id))
        if (!run) throw new UsageError(`no stored run ${id} in ${store.path}`)
        const kinds = typeof opts.events === 'string' ? opts.events.split(',') : undefined
        const events = opts.events ? store.getEvents(run.summary.id, { kinds }) : undefined
        if (opts.json) {
          const payload = { run_id: run.summary.id, session: run.summary.session, ...run.result, ...(events ? { trace: events.map((e) => ({ ...e, entry: e.entry === undefined ? undefined : '0x' + e.entry.toString(16) })) } : {}) }
          process.stdout.write(JSON.stringify(payload, null, 2) + '\n')
          return
        }
        process.stdout.write(renderRun(run.result, run.summary.id) + '\n')
        if (events) {
          process.stdout.write(
            '\n' +
              table(
                ['seq', 'step', 'task', 'kind', 'pfn', 'before', 'after', 'cause'],
                events.map((e) => [String(e.seq), String(e.step), e.task, e.kind + (e.level !== 'none' ? `/${e.level}` : ''), '0x' + e.pfn.toString(16), String(e.before), e.entry !== undefined ? '0x' + e.entry.toString(16) : String(e.after), e.cause]),
              ) +
              '\n',
          )
        }
      })
    })
}
