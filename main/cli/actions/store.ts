/**
 * `daxlab store check`: SQLite's integrity_check and every checksum in the trace store (docs/store.md#checking-a-store).
 * Exit 0 when everything is sound, 1 when anything is damaged (the report says what, run by run).
 */
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { TraceStore, type CheckReport } from '../../store/trace-store'
import type { StoreCheckOptions } from '../commands/store'
import { dbPathFrom } from '../inputs'
import { printOut } from '../terminal-text'

/** The store failed its check: the report is printed; this becomes the error line and exit 1. */
class StoreDamaged extends Error {}

export function checkStore(opts: StoreCheckOptions): void {
  const file = resolve(dbPathFrom(opts.db))
  // Checking must not create a store where there is none.
  if (!existsSync(file)) throw new Error(`${file}: no trace store there`)
  const handle = TraceStore.open(file)
  let report: CheckReport
  let version: number
  try {
    report = handle.check()
    version = handle.schemaVersion()
  } finally {
    handle.close()
  }
  if (opts.json) {
    const json = { file, schema_version: version, ok: report.ok, integrity: report.integrity, runs: report.runs, event_chunks: report.eventChunks, record_chunks: report.recordChunks, problems: report.problems, unfinished_runs: report.unfinished.map(unfinishedJson) }
    process.stdout.write(JSON.stringify(json, null, 2) + '\n')
  } else printOut(renderReport(file, version, report))
  if (!report.ok) throw new StoreDamaged(`store is damaged: ${report.problems.length} problem(s) in ${file}; it is opened read-only and never written to`)
}

function unfinishedJson(u: CheckReport['unfinished'][number]) {
  return { run_id: u.runId, pid: u.pid, host: u.host, started_at: u.startedAt, event_chunks: u.eventChunks, events: u.events, writer: u.writer }
}

const WRITER_STATE = { running: 'still being written', ended: 'its writer has ended; the next write removes it', unknown: 'written from another host' } as const

function renderReport(file: string, version: number, r: CheckReport): string {
  const lines = [
    `store: ${file} (schema version ${version})`,
    `checked: ${r.runs} runs, ${r.eventChunks} event chunks, ${r.recordChunks} step/violation chunks`,
    `SQLite integrity_check: ${r.integrity.length === 1 && r.integrity[0] === 'ok' ? 'ok' : `${r.integrity.length} problem(s)`}`,
  ]
  if (r.unfinished.length > 0) {
    lines.push(`unfinished streamed runs (${r.unfinished.length}, not visible, not a problem):`)
    for (const u of r.unfinished) lines.push(`  run ${u.runId}: ${u.eventChunks} event chunks (${u.events} events), started ${u.startedAt} by pid ${u.pid} on ${u.host}: ${WRITER_STATE[u.writer]}`)
  }
  if (r.ok) lines.push('checksums: ok', 'result: ok')
  else lines.push(`problems (${r.problems.length}):`, ...r.problems.map((p) => `  ${p}`), 'result: damaged')
  return lines.join('\n') + '\n'
}
