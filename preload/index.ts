/**
 * The preload: a frozen `window.lab` with exactly the contract's methods, each one invoke on its own
 * `lab:` channel, and a frozen `window.labFiles` with the file dialogs' methods (`lab:file.*`, ADR
 * 0021). It never exposes ipcRenderer or any other Electron or Node object, and imports nothing
 * but `electron` and the contract, bundled into one CommonJS file because a sandboxed preload cannot
 * load local modules.
 *
 * Each method resolves with the {ok, value} / {ok: false, error} envelope rather than throwing: the
 * context bridge copies only an Error's message, so errors travel as data and renderer/api unwraps them.
 */
import { contextBridge, ipcRenderer } from 'electron'
import { channelOf, labMethodTable, type LabMethod } from '../main/contract/api'
import { isLabResult, type LabBridge, type LabResult } from '../main/contract/envelope'
import { FILE_METHODS, fileChannelOf, type FileMethod, type LabFilesBridge } from '../main/contract/files'

async function invoke(method: LabMethod | FileMethod, channel: string, request: unknown): Promise<LabResult<unknown>> {
  const result: unknown = await ipcRenderer.invoke(channel, request)
  if (!isLabResult(result)) return { ok: false, error: { code: 'failed', message: `${method}: malformed reply from the main process` } }
  return result
}

export function createLabBridge(): LabBridge {
  return labMethodTable((method) => (request: unknown) => invoke(method, channelOf(method), request)) as unknown as LabBridge
}

/** The file dialogs' methods (main/app/file-ipc.ts): main asks where, and reads or writes the file. */
export function createLabFilesBridge(): LabFilesBridge {
  return Object.freeze(Object.fromEntries(FILE_METHODS.map((method) => [method, (request: unknown) => invoke(method, fileChannelOf(method), request)]))) as unknown as LabFilesBridge
}

contextBridge.exposeInMainWorld('lab', createLabBridge())
contextBridge.exposeInMainWorld('labFiles', createLabFilesBridge())
