import { describe, expect, it } from 'vitest'
import { LAB_METHODS, TOKEN_HEADER } from '../../main/contract/api'
import { createHttpLabApi, tokenFromHash, type FetchLike } from '../../renderer/api/http'

function fakeFetch(status: number, body: unknown): { fetch: FetchLike; requests: { url: string; init: Parameters<FetchLike>[1] }[] } {
  const requests: { url: string; init: Parameters<FetchLike>[1] }[] = []
  return {
    requests,
    fetch: async (url, init) => {
      requests.push({ url, init })
      return { status, json: async () => (body instanceof Error ? Promise.reject(body) : body) }
    },
  }
}

describe('HTTP transport', () => {
  it('has exactly the contract methods', () => {
    const api = createHttpLabApi('/api', fakeFetch(200, { ok: true, value: null }).fetch)
    expect(Object.keys(api).sort()).toEqual([...LAB_METHODS].sort())
    expect(Object.isFrozen(api)).toBe(true)
  })

  it('POSTs the request as JSON to /api/<method> and unwraps the value', async () => {
    const { fetch, requests } = fakeFetch(200, { ok: true, value: { runId: 4 } })
    const api = createHttpLabApi('/api', fetch)
    await expect(api.runScenario({ scenario: 's', kernel: '6.14' })).resolves.toEqual({ runId: 4 })
    expect(requests[0]!.url).toBe('/api/runScenario')
    expect(requests[0]!.init.method).toBe('POST')
    expect(requests[0]!.init.headers['Content-Type']).toBe('application/json')
    expect(JSON.parse(requests[0]!.init.body!)).toEqual({ scenario: 's', kernel: '6.14' })
  })

  it('sends the token from the page URL with every call, and says what to do when it is refused', async () => {
    expect(tokenFromHash('#token=abc-_1')).toBe('abc-_1')
    expect(tokenFromHash('')).toBe('')
    expect(tokenFromHash('#other=1')).toBe('')
    const { fetch, requests } = fakeFetch(200, { ok: true, value: [] })
    await createHttpLabApi('/api', fetch, 'abc').listRuns(undefined)
    expect(requests[0]!.init.headers[TOKEN_HEADER]).toBe('abc')
    const refused = fakeFetch(401, { ok: false, error: { code: 'invalid_request', message: `listRuns: refused: missing or wrong ${TOKEN_HEADER}` } })
    await expect(createHttpLabApi('/api', refused.fetch, '').listRuns(undefined)).rejects.toThrow(/open the full URL/)
  })

  it('sends no body for an undefined request', async () => {
    const { fetch, requests } = fakeFetch(200, { ok: true, value: [] })
    await createHttpLabApi('/api', fetch).listScenarios(undefined)
    expect(requests[0]!.init.body).toBeUndefined()
  })

  it('rejects with the error data of a failed call', async () => {
    const error = { code: 'invalid_request', message: 'getRun: id: expected number', field: 'id' }
    const err = await createHttpLabApi('/api', fakeFetch(400, { ok: false, error }).fetch)
      .getRun({ id: 1 })
      .catch((e: unknown) => e)
    expect((err as Error).message).toBe(error.message)
    expect((err as { data: unknown }).data).toEqual(error)
  })

  it('rejects a reply that is not an envelope', async () => {
    const api = createHttpLabApi('/api', fakeFetch(502, new SyntaxError('bad json')).fetch)
    await expect(api.listRuns(undefined)).rejects.toMatchObject({ data: { code: 'failed', message: 'listRuns: HTTP 502 without a lab reply' } })
  })
})
