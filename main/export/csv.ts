/**
 * The event table as CSV (RFC 4180: comma-separated, CRLF-free, fields quoted when they hold a comma,
 * quote or newline): one row per trace event of every run, pages named by region and offset too.
 * Pure and streaming. Columns: docs/formats.md#event-csv.
 */
import { EVENT_KIND_NAMES, EventKind, LEVEL_NAMES } from '../sim/events'
import { eventPlace } from '../diff/regions'
import type { ExportRun } from './source'

export const CSV_COLUMNS = ['run', 'seq', 'step', 'task', 'kind', 'level', 'pfn', 'region', 'offset', 'before', 'after', 'entry', 'cause'] as const

function field(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v
}

export function* eventsCsv(runs: readonly ExportRun[]): Generator<string> {
  yield CSV_COLUMNS.join(',') + '\n'
  for (const run of runs) {
    const { cols: c, tasks, causes } = run.events
    let batch: string[] = []
    for (let i = 0; i < c.count; i++) {
      const kind = c.kind[i]!
      const place = eventPlace(c.kind[i]!, c.pfn[i]!, run.regions)
      const isEntry = kind === EventKind.ENTRY_SET || kind === EventKind.ENTRY_CLEAR
      batch.push(
        [
          String(run.runId),
          String(i),
          String(c.step[i]),
          field(tasks[c.task[i]!] ?? '?'),
          EVENT_KIND_NAMES[kind] ?? String(kind),
          LEVEL_NAMES[c.level[i]!] ?? '?',
          '0x' + c.pfn[i]!.toString(16),
          field(place.region),
          place.offset,
          String(c.before[i]),
          String(c.after[i]),
          isEntry ? '0x' + c.entry[i]!.toString(16) : '',
          field(causes[c.cause[i]!] ?? '?'),
        ].join(','),
      )
      if (batch.length === 4096) {
        yield batch.join('\n') + '\n'
        batch = []
      }
    }
    if (batch.length) yield batch.join('\n') + '\n'
  }
}
