import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES, MAX_SOURCE_CHARS, TOKEN_HEADER } from '../../main/contract/api'
import { CONTENT_SECURITY_POLICY_HEADER } from '../../main/contract/security'
import { startWebBridge, type WebBridge } from '../../main/web/bridge'
import { createFakeLabApi, type FakeLabApi } from '../fakes/lab-api'

let bridge: WebBridge
let service: FakeLabApi
let tempDir: string
let rendererDir: string

beforeAll(async () => {
  tempDir = mkdtempSync(join(tmpdir(), 'daxlab-bridge-'))
  rendererDir = join(tempDir, 'renderer')
  mkdirSync(join(rendererDir, 'assets'), { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>lab</title>')
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(tempDir, 'daxlab-bridge-secret.txt'), 'secret')
  service = createFakeLabApi()
  bridge = await startWebBridge({ service, rendererDir })
})

afterAll(async () => {
  await bridge.close()
  rmSync(tempDir, { recursive: true, force: true })
})

/** A call as the page makes it: with this launch's token unless `headers` says otherwise. */
function post(method: string, body: string | undefined, headers: Record<string, string> = { 'Content-Type': 'application/json' }, target: WebBridge = bridge) {
  return fetch(`${target.url}/api/${method}`, { method: 'POST', headers: { [TOKEN_HEADER]: target.token, ...headers }, body })
}

/** fetch() normalises paths and fixes Host; raw requests are needed to test those guards. */
function raw(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(bridge.url)
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET', headers }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('web bridge', () => {
  it('listens on loopback', () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('answers contract calls with envelopes', async () => {
    const started = await post('runScenario', JSON.stringify({ scenario: 'fsdax-pin-unpin', kernel: '6.14' }))
    expect(started.status).toBe(200)
    expect(await started.json()).toEqual({ ok: true, value: { runId: 1 } })

    const scenarios = await post('listScenarios', undefined)
    expect(scenarios.status).toBe(200)
    expect(((await scenarios.json()) as { value: unknown[] }).value).toHaveLength(2)

    const run = await post('getRun', JSON.stringify({ id: 1 }))
    const body = (await run.json()) as { ok: boolean; value: { result: { steps: { probe?: { refcount: number } }[] } } }
    expect(body.ok).toBe(true)
    expect(body.value.result.steps[1]!.probe!.refcount).toBe(1025)
  })

  it('rejects a bad payload with 400 naming the field', async () => {
    const res = await post('getRun', JSON.stringify({ id: 'one' }))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'id' } })

    const extra = await post('runScenario', JSON.stringify({ scenario: 'a', kernel: '6.14', extra: true }))
    expect(extra.status).toBe(400)
    expect(await extra.json()).toMatchObject({ ok: false, error: { field: 'extra' } })
  })

  it('rejects non-JSON bodies and content types with 400', async () => {
    const notJson = await post('getRun', '{id: 1')
    expect(notJson.status).toBe(400)
    expect(await notJson.json()).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringContaining('not valid JSON') } })

    const form = await post('getRun', 'id=1', { 'Content-Type': 'application/x-www-form-urlencoded' })
    expect(form.status).toBe(400)
    expect(await form.json()).toMatchObject({ ok: false, error: { message: expect.stringContaining('application/json') } })
  })

  it('answers unknown methods with 404 and other verbs with 405', async () => {
    for (const name of ['dropTables', 'toString', '__proto__', '']) {
      const res = await post(name, '{}')
      expect(res.status, name).toBe(404)
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'not_found' } })
    }
    const get = await fetch(`${bridge.url}/api/listRuns`)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')
  })

  it('maps service failures to 404/500 without stacks', async () => {
    const notFound = await post('runScenario', JSON.stringify({ scenario: 'nope', kernel: '6.14' }))
    expect(notFound.status).toBe(404)
    expect(await notFound.json()).toMatchObject({ error: { code: 'not_found', field: 'scenario' } })

    const original = service.listProfiles
    service.listProfiles = async () => {
      throw new Error('disk on fire')
    }
    const failed = await post('listProfiles', undefined)
    expect(failed.status).toBe(500)
    expect(await failed.json()).toEqual({ ok: false, error: { code: 'failed', message: 'disk on fire' } })
    service.listProfiles = original
  })

  it('refuses cross-origin calls and foreign Host headers', async () => {
    const cross = await post('listRuns', undefined, { 'Content-Type': 'application/json', Origin: 'https://evil.example' })
    expect(cross.status).toBe(403)
    const rebinding = await raw('/', { Host: 'evil.example' })
    expect(rebinding.status).toBe(403)
    // A sandboxed frame or a file:// page sends the opaque origin `null`.
    const opaque = await post('listRuns', undefined, { 'Content-Type': 'application/json', Origin: 'null' })
    expect(opaque.status).toBe(403)
  })

  it('refuses a body over the limit with 413', async () => {
    const small = await startWebBridge({ service, rendererDir, maxBodyBytes: 64 })
    try {
      const res = await post('listRuns', JSON.stringify({ session: 'x'.repeat(100) }), undefined, small)
      expect(res.status).toBe(413)
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'invalid_request', message: 'request body is larger than 64 bytes' } })
    } finally {
      await small.close()
    }
  })

  it('serves the renderer with the CSP header, and nothing outside it', async () => {
    const index = await fetch(`${bridge.url}/`)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toContain('text/html')
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY_HEADER)
    expect(index.headers.get('x-content-type-options')).toBe('nosniff')

    const asset = await fetch(`${bridge.url}/assets/app.js`)
    expect(asset.headers.get('content-type')).toContain('text/javascript')

    expect((await fetch(`${bridge.url}/missing.js`)).status).toBe(404)
    expect((await raw('/../daxlab-bridge-secret.txt')).status).toBe(404)
    expect((await raw('/%2e%2e/daxlab-bridge-secret.txt')).status).toBe(404)
    expect((await raw('/assets')).status).toBe(404)

    const api = await post('listRuns', undefined)
    expect(api.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY_HEADER)
  })

  it('requires the per-launch token on every API call, and prints it in the page URL', async () => {
    expect(bridge.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(bridge.pageUrl).toBe(`${bridge.url}/#token=${bridge.token}`)
    const other = await startWebBridge({ service, rendererDir })
    try {
      expect(other.token).not.toBe(bridge.token)
    } finally {
      await other.close()
    }
    for (const token of [undefined, '', 'x', bridge.token.slice(1), bridge.token + 'x', bridge.token.toUpperCase()]) {
      const headers: Record<string, string> = { 'Content-Type': 'application/json' }
      if (token !== undefined) headers[TOKEN_HEADER] = token
      const res = await fetch(`${bridge.url}/api/listRuns`, { method: 'POST', headers, body: '{}' })
      expect(res.status, String(token)).toBe(401)
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringContaining(TOKEN_HEADER) } })
    }
    // The static page itself needs no token: it reads the token from its own URL.
    expect((await fetch(`${bridge.url}/`)).status).toBe(200)
    expect((await post('listRuns', undefined)).status).toBe(200)
  })

  it('accepts {} as the body of a method without arguments', async () => {
    for (const method of ['listScenarios', 'listProfiles', 'listRuns']) {
      const res = await post(method, '{}')
      expect(res.status, method).toBe(200)
      expect(await res.json()).toMatchObject({ ok: true })
    }
    const extra = await post('listScenarios', '{"x": 1}')
    expect(extra.status).toBe(400)
    expect(await extra.json()).toMatchObject({ ok: false, error: { field: 'x' } })
  })

  it('has a body limit that agrees with the schema: a too-long source gets the field error, not 413', async () => {
    expect(MAX_BODY_BYTES).toBeGreaterThanOrEqual(2 * MAX_SOURCE_CHARS)
    const source = 'x'.repeat(MAX_SOURCE_CHARS + 1)
    const res = await post('runScenario', JSON.stringify({ scenario: 'big', kernel: '6.17', source }))
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'source' } })
    // A source at the limit whose escaping doubles it (all newlines) still fits the body limit.
    const newlines = JSON.stringify({ scenario: 'big', kernel: '6.17', source: '\n'.repeat(MAX_SOURCE_CHARS) })
    expect(Buffer.byteLength(newlines)).toBeLessThanOrEqual(MAX_BODY_BYTES)
    const over = await post('listRuns', JSON.stringify({ session: 'x'.repeat(MAX_BODY_BYTES) }))
    expect(over.status).toBe(413)
  })
})
