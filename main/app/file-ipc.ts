/**
 * The desktop's file methods over IPC (main/contract/files.ts): Import and Export of profile YAML, export
 * and import of session archives, and the import of a trace file. Each call is checked as the lab calls are (ipc.ts): the sender is the
 * app's own page, the payload one argument matching its schema. Then main shows the native dialog
 * (modal to the sender's window) and reads or writes the file itself: a profile's YAML here, an archive
 * in the services' process (ServiceHost.files: an archive, a trace), so a file's bytes never cross IPC and
 * the page never names a path. A cancelled dialog answers `{canceled: true}` and touches nothing.
 */
import { readFile, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { ipcMain, type IpcMainInvokeEvent } from 'electron'
import type { LabApi } from '../contract/api'
import { toErrorData, validateWith, type LabResult } from '../contract/envelope'
import { FILE_METHODS, archiveFileName, fileChannelOf, fileRequestSchemas, type FileMethod, type FileRequest, type FileResponses } from '../contract/files'
import type { Profile } from '../formats/profile'
import { profileYaml } from '../formats/profile-yaml'
import type { SessionFileApi } from '../services/session-file-calls'
import { chooseFileToOpen, chooseFileToSave, windowOf } from './file-dialogs'
import type { SenderCheck } from './sender-policy'

export interface FileIpcDeps {
  readonly api: Pick<LabApi, 'getSession'>
  readonly files: SessionFileApi
  readonly isTrustedSender: SenderCheck
}

type FileEvent = Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>
type Handlers = { [M in FileMethod]: (request: FileRequest<M>, parent: ReturnType<typeof windowOf>) => Promise<FileResponses[M]> }

const CANCELED = { canceled: true } as const

function handlers(deps: FileIpcDeps): Handlers {
  return {
    async importProfileFile(_request, parent) {
      const file = await chooseFileToOpen('profile', parent)
      if (!file) return CANCELED
      return { fileName: file.fileName, text: await readFile(file.path, 'utf8') }
    },
    async exportProfileFile(request, parent) {
      // Validated (and its sizes read) by the schema; written back with units, as Save stores it.
      const profile = request.profile as Profile
      const path = await chooseFileToSave('profile', parent, `${profile.name ?? 'profile'}.yaml`)
      if (!path) return CANCELED
      const text = profileYaml(profile)
      await writeFile(path, text, 'utf8')
      return { fileName: basename(path), bytes: Buffer.byteLength(text) }
    },
    async exportArchiveFile(request, parent) {
      // An unknown session is refused before a dialog asks where to put it.
      await deps.api.getSession({ name: request.name })
      const path = await chooseFileToSave('archive', parent, archiveFileName(request.name))
      if (!path) return CANCELED
      return deps.files.exportSessionFile({ name: request.name, path })
    },
    async importArchiveFile(request, parent) {
      const file = await chooseFileToOpen('archive', parent)
      if (!file) return CANCELED
      return deps.files.importSessionFile({ path: file.path, ...(request?.as !== undefined ? { as: request.as } : {}) })
    },
    async importTraceFile(request, parent) {
      // The options were checked (the strict schema refuses a `path`); the services check them again
      // before reading, and stream the import from the file chosen (no upload cap).
      const file = await chooseFileToOpen('trace', parent)
      if (!file) return CANCELED
      return deps.files.importTraceFile({ ...request, path: file.path })
    },
  }
}

export async function handleFileCall(deps: FileIpcDeps, method: FileMethod, event: FileEvent, args: readonly unknown[]): Promise<LabResult<unknown>> {
  const url = event.senderFrame?.url
  if (url === undefined || !deps.isTrustedSender(url)) {
    return { ok: false, error: { code: 'invalid_request', message: `${method}: refused: the caller is not the app's own page` } }
  }
  if (args.length > 1) return { ok: false, error: { code: 'invalid_request', message: `${method}: takes one request argument, got ${args.length}` } }
  const checked = validateWith(fileRequestSchemas[method], method, args[0])
  if (!checked.ok) return checked
  try {
    const handle = handlers(deps)[method] as (request: unknown, parent: ReturnType<typeof windowOf>) => Promise<unknown>
    return { ok: true, value: await handle(checked.value, windowOf(event.sender)) }
  } catch (err) {
    return { ok: false, error: toErrorData(err) }
  }
}

/** Registers one handler per file method; returns a function that removes them again. */
export function registerFileIpc(deps: FileIpcDeps): () => void {
  for (const method of FILE_METHODS) ipcMain.handle(fileChannelOf(method), (event, ...args: unknown[]) => handleFileCall(deps, method, event, args))
  return () => {
    for (const method of FILE_METHODS) ipcMain.removeHandler(fileChannelOf(method))
  }
}
