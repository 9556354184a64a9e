/**
 * `daxlab export RUN|SESSION`: builds the chosen format from the store and writes it to a temporary
 * name renamed into place, so a killed export never leaves a file that looks complete.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromeTrace } from '../../export/chrome-trace'
import { eventsCsv } from '../../export/csv'
import { runsJson } from '../../export/run-json'
import type { ExportRun } from '../../export/source'
import { exportRunById, exportSessionRuns } from '../../store/sessions/export-source'
import { SessionStore } from '../../store/sessions/session-store'
import { EXPORT_FORMATS, type ExportFormat, type ExportOptions } from '../commands/export'
import { withStore } from '../inputs'
import { printOut } from '../terminal-text'
import { UsageError } from '../usage-error'

/** Writes the generator's pieces in ~1 MiB writes. */
export function writePieces(file: string, pieces: Iterable<string>): number {
  const target = resolve(file)
  const tmp = `${target}.tmp-${process.pid}`
  const fd = openSync(tmp, 'w')
  let bytes = 0
  try {
    let buf: string[] = []
    let size = 0
    const flush = () => {
      if (!buf.length) return
      bytes += writeSync(fd, buf.join(''))
      buf = []
      size = 0
    }
    for (const piece of pieces) {
      buf.push(piece)
      size += piece.length
      if (size >= 1 << 20) flush()
    }
    flush()
    closeSync(fd)
    renameSync(tmp, target)
    return bytes
  } catch (e) {
    try {
      closeSync(fd)
    } catch {
      // already closed
    }
    rmSync(tmp, { force: true })
    throw e
  }
}

export function exportTarget(target: string, opts: ExportOptions): void {
  if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) throw new UsageError(`--format: '${opts.format}' is not one of ${EXPORT_FORMATS.join(', ')}`)
  const format = opts.format as ExportFormat
  const out = withStore(opts.db, (store) => {
    let runs: ExportRun[]
    let session: { name: string; info: unknown } | undefined
    if (/^\d+$/.test(target)) {
      const run = exportRunById(store.connection(), Number(target))
      if (!run) throw new UsageError(`no stored run ${target} in ${store.path}`)
      runs = [run]
    } else {
      const info = new SessionStore(store).get(target)
      if (!info) throw new UsageError(`no session '${target}' in ${store.path} (a run is named by its id)`)
      runs = exportSessionRuns(store.connection(), target)
      session = { name: target, info }
    }
    const pieces = format === 'chrome-trace' ? chromeTrace(runs) : format === 'csv' ? eventsCsv(runs) : runsJson(runs, session)
    return { bytes: writePieces(opts.output, pieces), runs: runs.length, events: runs.reduce((s, r) => s + r.events.cols.count, 0) }
  })
  printOut(`wrote ${opts.format} of ${out.runs} run${out.runs === 1 ? '' : 's'} (${out.events} events, ${out.bytes} bytes) to ${resolve(opts.output)}\n`)
}
