/**
 * The web bridge transport (main/web): each contract method is `POST /api/<method>` with the request as
 * the JSON body (no body for an undefined request) and the launch's token in X-Daxlab-Token, answered
 * by a LabResult envelope.
 */
import { TOKEN_HEADER, labMethodTable, type LabApi, type LabMethod } from '../../main/contract/api'
import { LabError, isLabResult, unwrapResult } from '../../main/contract/envelope'

export type FetchLike = (input: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{
  status: number
  json(): Promise<unknown>
}>

/** The token the server put in the page's URL (`#token=...`), or '' when there is none. */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? ''
}

export function createHttpLabApi(baseUrl = '/api', fetchFn: FetchLike = (input, init) => fetch(input, init), token = ''): LabApi {
  const call = async (method: LabMethod, request: unknown): Promise<unknown> => {
    const init = { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json', [TOKEN_HEADER]: token } }
    const response = await fetchFn(`${baseUrl}/${method}`, request === undefined ? init : { ...init, body: JSON.stringify(request) })
    let body: unknown
    try {
      body = await response.json()
    } catch {
      body = undefined
    }
    if (!isLabResult(body)) throw new LabError({ code: 'failed', message: `${method}: HTTP ${response.status} without a lab reply` })
    if (response.status === 401 && !body.ok) {
      throw new LabError({ ...body.error, message: `${body.error.message}. This page has no valid token: open the full URL \`npm run web\` or \`daxlab serve\` printed.` })
    }
    return unwrapResult(body)
  }
  return labMethodTable((method) => (request: unknown) => call(method, request)) as unknown as LabApi
}
