/**
 * Runs as the run contract JSON (docs/formats.md#run-result) with their trace events, the shape
 * `daxlab runs show ID --events --json` prints: one run as an object, a session as
 * {format, session, runs: [...]}. Entries are hex strings (JSON has no 64-bit integers). Streaming.
 */
import { EventKind, EVENT_KIND_NAMES, LEVEL_NAMES } from '../sim/events'
import type { ExportRun } from './source'

function* runJson(run: ExportRun): Generator<string> {
  const head = JSON.stringify({ run_id: run.runId, session: run.session, ...run.result })
  yield head.slice(0, -1) + ',"trace":['
  const { cols: c, tasks, causes } = run.events
  let batch: string[] = []
  for (let i = 0; i < c.count; i++) {
    const kind = c.kind[i]!
    const isEntry = kind === EventKind.ENTRY_SET || kind === EventKind.ENTRY_CLEAR
    batch.push(
      JSON.stringify({
        seq: i,
        step: c.step[i],
        task: tasks[c.task[i]!] ?? '?',
        kind: EVENT_KIND_NAMES[kind] ?? String(kind),
        level: LEVEL_NAMES[c.level[i]!] ?? 'none',
        pfn: c.pfn[i],
        before: c.before[i],
        after: c.after[i],
        ...(isEntry ? { entry: '0x' + c.entry[i]!.toString(16) } : {}),
        cause: causes[c.cause[i]!] ?? '?',
      }),
    )
    if (batch.length === 4096) {
      yield (i + 1 > 4096 ? ',' : '') + batch.join(',')
      batch = []
    }
  }
  if (batch.length) yield (c.count > batch.length ? ',' : '') + batch.join(',')
  yield ']}'
}

export function* runsJson(runs: readonly ExportRun[], session?: { readonly name: string; readonly info: unknown }): Generator<string> {
  if (!session) {
    yield* runJson(runs[0]!)
    yield '\n'
    return
  }
  yield `{"format":"daxlab-session/1","session":${JSON.stringify(session.info)},"runs":[`
  for (let i = 0; i < runs.length; i++) {
    if (i > 0) yield ','
    yield* runJson(runs[i]!)
  }
  yield ']}\n'
}
