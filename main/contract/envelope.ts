/**
 * How a contract call crosses a boundary (Electron IPC, the utility-process port, the web bridge's HTTP):
 * the payload is validated with the contract's zod schema, the answer travels as an envelope
 * `{ ok: true, value }` or `{ ok: false, error }` and is unwrapped on the other side. Errors never cross
 * as raw exceptions (stacks and paths stay on the backend); they cross as LabErrorData. Pure: no
 * electron, no node:*, no DOM, so the IPC wrapper, the web bridge, the preload and the renderer share it.
 */
import type { z } from 'zod'
import { pathText } from '../formats/errors'
import { LAB_METHODS, requestSchemas, type LabApi, type LabErrorData, type LabMethod, type LabRequest, type LabResponses } from './api'

export type LabResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: LabErrorData }

/**
 * What the preload exposes as `window.lab`: the contract's methods returning envelopes. Plain objects
 * cross Electron's context bridge intact, while an Error would lose everything but its message, so the
 * renderer unwraps (renderer/api) instead of the preload throwing.
 */
export type LabBridge = { [M in LabMethod]: (request: LabRequest<M>) => Promise<LabResult<LabResponses[M]>> }

/** The error a caller sees when a call fails: `message` for people, `data` for code. */
export class LabError extends Error {
  override name = 'LabError'
  constructor(readonly data: LabErrorData) {
    super(data.message)
  }
}

const ERROR_CODES: ReadonlySet<string> = new Set<LabErrorData['code']>(['invalid_request', 'not_found', 'failed', 'cancelled'])

export function isLabMethod(name: string): name is LabMethod {
  return (LAB_METHODS as string[]).includes(name)
}

export function isLabErrorData(value: unknown): value is LabErrorData {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (
    typeof v.code === 'string' &&
    ERROR_CODES.has(v.code) &&
    typeof v.message === 'string' &&
    (v.field === undefined || typeof v.field === 'string')
  )
}

export function isLabResult(value: unknown): value is LabResult<unknown> {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  return (v.ok === true && 'value' in v) || (v.ok === false && isLabErrorData(v.error))
}

/** Field path as users read it: `limit`, `steps[3].pages`. */
function fieldOf(issue: z.core.$ZodIssue): string | undefined {
  const path: PropertyKey[] = [...issue.path]
  // A strict object reports extra keys on the object itself; the first extra key is the bad field.
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) path.push(issue.keys[0]!)
  return pathText(path) || undefined
}

/**
 * Checks a payload against the method's schema. The error names the first bad field (`field`), and the
 * message says what is wrong with it; a wrong payload as a whole (not an object) has no field.
 */
export function validateRequest<M extends LabMethod>(method: M, payload: unknown): LabResult<LabRequest<M>> {
  // The only transform is a profile's sizes to byte counts (saveProfile, checkProfile), which the
  // schema accepts again, so what passed is still a request as the method types it.
  return validateWith(requestSchemas[method], method, payload) as LabResult<LabRequest<M>>
}

/** validateRequest for a schema outside the lab contract (the desktop's file methods): the same error shape. */
export function validateWith(schema: z.ZodType, method: string, payload: unknown): LabResult<unknown> {
  const parsed = schema.safeParse(payload)
  if (parsed.success) return { ok: true, value: parsed.data }
  const issue = parsed.error.issues[0]!
  const field = fieldOf(issue)
  const message = `${method}: ${field ?? 'request'}: ${issue.message}`
  return { ok: false, error: field === undefined ? { code: 'invalid_request', message } : { code: 'invalid_request', message, field } }
}

/** What a thrown value becomes on the wire: a LabError's data as is, anything else as `failed`. */
export function toErrorData(err: unknown): LabErrorData {
  if (typeof err === 'object' && err !== null && isLabErrorData((err as { data?: unknown }).data)) {
    const data = (err as { data: LabErrorData }).data
    return data.field === undefined
      ? { code: data.code, message: data.message }
      : { code: data.code, message: data.message, field: data.field }
  }
  return { code: 'failed', message: err instanceof Error ? err.message : String(err) }
}

/** Validates, calls the service and wraps the outcome; never throws. The one call path for every host. */
export async function callLab<M extends LabMethod>(service: LabApi, method: M, payload: unknown): Promise<LabResult<LabResponses[M]>> {
  // The method name may come straight off the wire (a port message, a URL); only contract names pass.
  if (typeof method !== 'string' || !isLabMethod(method)) {
    return { ok: false, error: { code: 'not_found', message: `unknown method '${String(method)}'` } }
  }
  const checked = validateRequest(method, payload)
  if (!checked.ok) return checked
  try {
    const call = service[method] as (request: LabRequest<M>) => Promise<LabResponses[M]>
    return { ok: true, value: await call.call(service, checked.value) }
  } catch (err) {
    return { ok: false, error: toErrorData(err) }
  }
}

/** The caller's side: the value, or a LabError carrying the error data. */
export function unwrapResult<T>(result: LabResult<T>): T {
  if (result.ok) return result.value
  throw new LabError(result.error)
}
