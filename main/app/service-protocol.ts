/**
 * Messages between the Electron main process and the services' utility process (service-host.ts and
 * service-worker.ts). One request, one response, matched by id; the response is the same LabResult
 * envelope the IPC handlers return. A request is a lab contract call (`method`) or one of the main
 * process's own file calls (`fileMethod`, main/services/session-files.ts: they carry a path the main
 * process chose in its dialog, so the page can never send one). Pure types.
 */
import type { LabMethod } from '../contract/api'
import type { LabResult } from '../contract/envelope'
import type { SessionFileMethod } from '../services/session-file-calls'

export interface LabCallRequest {
  readonly id: number
  readonly method: LabMethod
  readonly payload: unknown
}

export interface FileCallRequest {
  readonly id: number
  readonly fileMethod: SessionFileMethod
  readonly payload: unknown
}

export type ServiceRequest = LabCallRequest | FileCallRequest

export interface ServiceResponse {
  readonly id: number
  readonly result: LabResult<unknown>
}

/** Sent once by the worker when the service is open (or failed to open: `error` says why). */
export interface ServiceReady {
  readonly ready: true
  readonly error?: string
}

export type ServiceMessage = ServiceResponse | ServiceReady
