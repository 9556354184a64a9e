/**
 * The web bridge: the same services the Electron app uses, offered to a browser on 127.0.0.1 (for
 * `daxlab serve` and the Chromium e2e tests). It serves the built renderer and answers
 * `POST /api/<method>` with the very call path the IPC handlers use (callLab: zod validation, then the
 * service, then a LabResult envelope). Node only, no electron.
 *
 * Guard rails, since any local page or process could try to reach a localhost port: every API call
 * must carry this launch's random token (`X-Daxlab-Token`; the page reads it from the `#token=` of the
 * URL the server prints, which no other page or process knows), the Host header must name this server
 * (no DNS rebinding), a cross-origin Origin is refused, the body must be JSON and within
 * MAX_BODY_BYTES, and every response carries the app's CSP.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { MAX_BODY_BYTES, TOKEN_HEADER, type LabApi, type LabErrorData } from '../contract/api'
import { callLab, isLabMethod, type LabResult } from '../contract/envelope'
import { CONTENT_SECURITY_POLICY_HEADER } from '../contract/security'
import { resolveStaticFile, sendStaticFile } from './static-files'

export interface WebBridgeOptions {
  readonly service: LabApi
  /** 0 (the default) picks a free port. */
  readonly port?: number
  /** Loopback by default; the bridge has no authentication, so keep it there. */
  readonly host?: string
  /** The built renderer; default `out/renderer` under the current directory. */
  readonly rendererDir?: string
  /** Default MAX_BODY_BYTES (the contract's: room for the largest request its schemas accept). */
  readonly maxBodyBytes?: number
  /** The API token; default 32 random bytes, new for every launch. */
  readonly token?: string
}

export interface WebBridge {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string
  /** The page to open: `url` + `/#token=<token>` (a fragment never leaves the browser). */
  readonly pageUrl: string
  /** This launch's token, required as the X-Daxlab-Token header of every API call. */
  readonly token: string
  close(): Promise<void>
}

const API_PREFIX = '/api/'

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY_HEADER,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const

/** HTTP status for a failed call: bad request, unknown thing, or the backend failed. */
function statusOf(error: LabErrorData): number {
  switch (error.code) {
    case 'invalid_request':
      return 400
    case 'not_found':
      return 404
    case 'failed':
      return 500
    case 'cancelled':
      return 409
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: LabErrorData,
  ) {
    super(error.message)
  }
}

function sendJson(res: ServerResponse, status: number, body: LabResult<unknown>, extra: Record<string, string> = {}): void {
  // 64-bit values are bigint in the engine; should one reach a reply, it travels as a decimal string.
  const text = JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...extra,
  })
  res.end(text)
}

function fail(status: number, code: LabErrorData['code'], message: string): HttpError {
  return new HttpError(status, { code, message })
}

async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json') {
    throw fail(400, 'invalid_request', `request body must be application/json, got ${type || 'no content type'}`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) throw fail(413, 'invalid_request', `request body is larger than ${maxBytes} bytes`)
    chunks.push(chunk)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  // A method whose request is optional (listScenarios) is called with no body.
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw fail(400, 'invalid_request', `request body is not valid JSON: ${(err as Error).message}`)
  }
}

export async function startWebBridge(options: WebBridgeOptions): Promise<WebBridge> {
  const host = options.host ?? '127.0.0.1'
  const rendererDir = resolve(options.rendererDir ?? 'out/renderer')
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES
  const token = options.token ?? randomBytes(32).toString('base64url')
  const tokenBytes = Buffer.from(token)
  const { service } = options
  let allowedHosts = new Set<string>()

  async function handleApi(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (!isLabMethod(name)) throw fail(404, 'not_found', `unknown method '${name}'`)
    if (req.method !== 'POST') {
      sendJson(res, 405, { ok: false, error: { code: 'invalid_request', message: `${name}: use POST` } }, { Allow: 'POST' })
      return
    }
    const origin = req.headers.origin
    if (origin !== undefined && !allowedHosts.has(origin.replace(/^http:\/\//, ''))) {
      throw fail(403, 'invalid_request', `${name}: refused: cross-origin request from ${origin}`)
    }
    const given = req.headers[TOKEN_HEADER]
    const givenBytes = Buffer.from(typeof given === 'string' ? given : '')
    // Constant time: a wrong token says nothing about how much of it was right.
    if (givenBytes.length !== tokenBytes.length || !timingSafeEqual(givenBytes, tokenBytes)) {
      throw fail(401, 'invalid_request', `${name}: refused: missing or wrong ${TOKEN_HEADER} (open the URL the server printed)`)
    }
    const payload = await readJsonBody(req, maxBodyBytes)
    const result = await callLab(service, name, payload)
    sendJson(res, result.ok ? 200 : statusOf(result.error), result)
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      throw fail(403, 'invalid_request', `refused: unexpected Host header '${req.headers.host ?? ''}'`)
    }
    const path = new URL(req.url ?? '/', 'http://bridge.invalid').pathname
    if (path.startsWith(API_PREFIX)) {
      await handleApi(req, res, path.slice(API_PREFIX.length))
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n')
      return
    }
    const file = await resolveStaticFile(rendererDir, path)
    if (!file) {
      const missingBuild = path === '/' ? ` (no ${rendererDir}/index.html: run \`npx electron-vite build\`)` : ''
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found${missingBuild}\n`)
      return
    }
    await sendStaticFile(res, file, req.method === 'HEAD')
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      const httpError = err instanceof HttpError ? err : fail(500, 'failed', err instanceof Error ? err.message : String(err))
      sendJson(res, httpError.status, { ok: false, error: httpError.error })
    })
  })

  await new Promise<void>((done, failListen) => {
    server.once('error', failListen)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', failListen)
      done()
    })
  })
  const { port } = server.address() as AddressInfo
  const hostPart = host.includes(':') ? `[${host}]` : host
  allowedHosts = new Set([`${hostPart}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`])

  const url = `http://${hostPart}:${port}`
  return {
    url,
    pageUrl: `${url}/#token=${token}`,
    token,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done())
        server.closeAllConnections()
      }),
  }
}
