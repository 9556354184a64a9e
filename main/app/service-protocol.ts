/**
 * Messages between the Electron main process and the services' utility process (service-host.ts and
 * service-worker.ts). One request, one response, matched by id; the response is the same LabResult
 * envelope the IPC handlers return. Pure types.
 */
import type { LabMethod } from '../contract/api'
import type { LabResult } from '../contract/envelope'

export interface ServiceRequest {
  readonly id: number
  readonly method: LabMethod
  readonly payload: unknown
}

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
