/**
 * The one place that uses ipcMain (VS Code bans raw ipcMain outside its validated wrapper). For every
 * contract method it registers `ipcMain.handle(channelOf(method))`; each call is checked in order:
 * the sender frame is the app's own page, the payload is exactly one argument that matches the method's
 * schema, then the service is called. The handler always resolves to a LabResult envelope, so no raw
 * error (with its stack and file paths) crosses to the renderer.
 */
import { ipcMain, type IpcMainInvokeEvent } from 'electron'
import { LAB_METHODS, channelOf, type LabApi, type LabMethod } from '../contract/api'
import { callLab, type LabResult } from '../contract/envelope'
import type { SenderCheck } from './sender-policy'

export async function handleLabCall(
  service: LabApi,
  isTrustedSender: SenderCheck,
  method: LabMethod,
  event: Pick<IpcMainInvokeEvent, 'senderFrame'>,
  args: readonly unknown[],
): Promise<LabResult<unknown>> {
  // senderFrame is null when the frame navigated away or was destroyed before the call arrived.
  const url = event.senderFrame?.url
  if (url === undefined || !isTrustedSender(url)) {
    return { ok: false, error: { code: 'invalid_request', message: `${method}: refused: the caller is not the app's own page` } }
  }
  if (args.length > 1) {
    return { ok: false, error: { code: 'invalid_request', message: `${method}: takes one request argument, got ${args.length}` } }
  }
  return callLab(service, method, args[0])
}

/** Registers one handler per contract method; returns a function that removes them again. */
export function registerLabIpc(service: LabApi, isTrustedSender: SenderCheck): () => void {
  for (const method of LAB_METHODS) {
    ipcMain.handle(channelOf(method), (event, ...args: unknown[]) => handleLabCall(service, isTrustedSender, method, event, args))
  }
  return () => {
    for (const method of LAB_METHODS) ipcMain.removeHandler(channelOf(method))
  }
}
