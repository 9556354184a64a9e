/**
 * The web bridge transport (main/web): each contract method is `POST /api/<method>` with the request as
 * the JSON body (no body for an undefined request), answered by a LabResult envelope.
 */
import { labMethodTable, type LabApi, type LabMethod } from '../../main/contract/api'
import { LabError, isLabResult, unwrapResult } from '../../main/contract/envelope'

export type FetchLike = (input: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{
  status: number
  json(): Promise<unknown>
}>

export function createHttpLabApi(baseUrl = '/api', fetchFn: FetchLike = (input, init) => fetch(input, init)): LabApi {
  const call = async (method: LabMethod, request: unknown): Promise<unknown> => {
    const init = { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' } }
    const response = await fetchFn(`${baseUrl}/${method}`, request === undefined ? init : { ...init, body: JSON.stringify(request) })
    let body: unknown
    try {
      body = await response.json()
    } catch {
      body = undefined
    }
    if (!isLabResult(body)) throw new LabError({ code: 'failed', message: `${method}: HTTP ${response.status} without a lab reply` })
    return unwrapResult(body)
  }
  return labMethodTable((method) => (request: unknown) => call(method, request)) as unknown as LabApi
}
