/**
 * `daxlab export RUN|SESSION --format chrome-trace|csv|json -o FILE`: a stored run (by id) or a whole
 * session as a Perfetto/chrome://tracing trace, the event table as CSV, or the run contract JSON.
 * The file is written to a temporary name and renamed into place.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { chromeTrace } from '../../export/chrome-trace'
import { eventsCsv } from '../../export/csv'
import { runsJson } from '../../export/run-json'
import type { ExportRun } from '../../export/source'
import { exportRunById, exportSessionRuns } from '../../store/sessions/export-source'
import { SessionStore } from '../../store/sessions/session-store'
import { withStore } from '../inputs'
import { UsageError } from './compare'

const FORMATS = ['chrome-trace', 'csv', 'json'] as const
type Format = (typeof FORMATS)[number]

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

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('export a stored run (id) or a session (name): chrome-trace (Perfetto UI, chrome://tracing), csv (events) or json (run contract)')
    .argument('<target>', 'run id (digits) or session name')
    .requiredOption('--format <format>', `one of ${FORMATS.join(', ')}`)
    .requiredOption('-o, --output <file>', 'file to write')
    .option('--db <path>', 'trace database')
    .action((target: string, opts: { format: string; output: string; db?: string }) => {
      if (!(FORMATS as readonly string[]).includes(opts.format)) throw new UsageError(`--format: '${opts.format}' is not one of ${FORMATS.join(', ')}`)
      const format = opts.format as Format
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
      process.stdout.write(`wrote ${opts.format} of ${out.runs} run${out.runs === 1 ? '' : 's'} (${out.events} events, ${out.bytes} bytes) to ${resolve(opts.output)}\n`)
    })
}
