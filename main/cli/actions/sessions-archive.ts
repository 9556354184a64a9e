/** `daxlab sessions export` and `sessions import` (docs/sessions.md#archive). */
import { importArchive, exportSession } from '../../store/sessions/archive'
import { openArchive } from '../../store/sessions/archive-format'
import type { SessionsExportOptions, SessionsImportOptions } from '../commands/sessions-archive'
import { printOut } from '../terminal-text'
import { withSessions } from './sessions'

const print = (text: string): void => printOut(text + '\n')
const printJson = (value: unknown): void => void process.stdout.write(JSON.stringify(value, null, 2) + '\n')

export function exportArchive(name: string, opts: SessionsExportOptions, labVersion: string): void {
  const out = withSessions(opts.db, (s) => exportSession(s.traceStore, name, opts.output, labVersion))
  if (opts.json) return printJson(out)
  print(`exported session '${name}' (${out.runs} runs, ${out.bytes} bytes) to ${out.file}\nsha256 ${out.checksum}`)
}

export function importArchiveFile(file: string, opts: SessionsImportOptions): void {
  // The archive is checked in full before the store is opened: a refused file changes nothing.
  const archive = openArchive(file)
  try {
    const out = withSessions(opts.db, (s) => importArchive(s.traceStore, archive, opts.as))
    if (opts.json) return printJson(out)
    if (out.status === 'duplicate') print(`nothing imported: this archive (sha256 ${archive.checksum.slice(0, 16)}...) was already imported as session '${out.session}'`)
    else if (out.status === 'nothing-new') print(`nothing imported: session '${out.session}' already holds every combination in this archive`)
    else if (out.status === 'merged') print(`merged ${out.combinations} combinations (${out.runs} runs) into session '${out.session}'`)
    else print(`imported session '${out.session}' (${out.runs} runs)`)
  } finally {
    archive.db.close()
  }
}
