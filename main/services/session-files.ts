/**
 * Session archives at a path the Electron main process chose with its dialog (docs/app.md#files): the
 * services' process writes an export there, or imports the file there, so the archive's bytes never
 * cross IPC. The contract's exportSession / importSession (bytes as base64, for the web transport) go
 * through the same two functions via a private temporary file. Node layer, no electron.
 *
 * These calls are not in the lab contract: only the main process can send them (over the utility
 * process's port), never the page or the web bridge, because they carry a path.
 */
import { basename } from 'node:path'
import { LabError, toErrorData, validateWith, type LabResult } from '../contract/envelope'
import type { SavedArchive } from '../contract/files'
import type { ImportedArchive } from '../contract/sessions'
import { exportSession, importArchive } from '../store/sessions/archive'
import { ArchiveError, openArchive } from '../store/sessions/archive-format'
import { SessionError, SessionStore } from '../store/sessions/session-store'
import type { TraceStore } from '../store/trace-store'
import { isSessionFileMethod, sessionFileSchemas, type SessionFileApi } from './session-file-calls'

export type { SessionFileApi } from './session-file-calls'

/** Written into archives' `lab_version` (the CLI's `--version`). */
export const LAB_VERSION = '0.1.0'

const invalid = (field: string, message: string) => new LabError({ code: 'invalid_request', field, message })

/** Writes the session's archive to `target` (atomically: a temporary file renamed into place). */
export function exportSessionToFile(store: TraceStore, name: string, target: string): Omit<SavedArchive, 'fileName'> {
  const sessions = new SessionStore(store)
  if (!sessions.get(name)) throw new LabError({ code: 'not_found', field: 'name', message: `no session '${name}'` })
  const out = exportSession(store, name, target, LAB_VERSION)
  return { runs: out.runs, bytes: out.bytes, checksum: out.checksum }
}

/**
 * Imports the archive at `file`, checked completely first (openArchive), so a refused one leaves the
 * store as it was. `label` is how the user knows the file (its name), used in place of the path in
 * every message; `field` is the request field a refused archive is blamed on.
 */
export function importSessionFromFile(store: TraceStore, file: string, label: string, as: string | undefined, field: string): ImportedArchive {
  let archive
  try {
    archive = openArchive(file)
  } catch (e) {
    if (e instanceof ArchiveError) throw invalid(field, `${label}: ${e.message.slice(file.length + 2)}`)
    throw e
  }
  try {
    const out = importArchive(store, archive, as)
    const message =
      out.status === 'duplicate'
        ? `nothing imported: this archive (sha256 ${archive.checksum.slice(0, 16)}...) was already imported as session '${out.session}'`
        : out.status === 'nothing-new'
          ? `nothing imported: session '${out.session}' already holds every combination in this archive`
          : out.status === 'merged'
            ? `merged ${out.combinations} combinations (${out.runs} runs) into session '${out.session}'`
            : `imported session '${out.session}' (${out.runs} runs)`
    return { ...out, message }
  } catch (e) {
    if (e instanceof SessionError) throw invalid('as', e.message.replace('import with --as NEW_NAME', 'import it under another name'))
    throw e
  } finally {
    archive.db.close()
  }
}

export function createSessionFiles(store: TraceStore): Pick<SessionFileApi, 'exportSessionFile' | 'importSessionFile'> {
  return {
    async exportSessionFile(request) {
      return { fileName: basename(request.path), ...exportSessionToFile(store, request.name, request.path) }
    },
    async importSessionFile(request) {
      const fileName = basename(request.path)
      return { fileName, ...importSessionFromFile(store, request.path, fileName, request.as, 'path') }
    },
  }
}

/** callLab for the file calls: validates, calls and wraps the outcome; never throws. */
export async function callSessionFile(files: SessionFileApi, method: unknown, payload: unknown): Promise<LabResult<unknown>> {
  if (!isSessionFileMethod(method)) return { ok: false, error: { code: 'not_found', message: `unknown file method '${String(method)}'` } }
  const checked = validateWith(sessionFileSchemas[method], method, payload)
  if (!checked.ok) return checked
  try {
    const call = files[method] as (request: unknown) => Promise<unknown>
    return { ok: true, value: await call(checked.value) }
  } catch (err) {
    return { ok: false, error: toErrorData(err) }
  }
}
