/**
 * The app's own scheme: the window loads `daxlab://app/index.html` rather than a file:// URL
 * (Electron security checklist, "use a custom protocol instead of file://"). file:// pages share one
 * origin with every file on the disk; daxlab://app is an origin of its own, serves only the built
 * renderer directory (no `..`, no symlink escapes: the web bridge's resolveStaticFile), answers only
 * GET, and puts the app's CSP on every response. Registered privileged (standard, secure) before the
 * app is ready, so the page gets a real origin, fetch and a secure context.
 */
import { readFile } from 'node:fs/promises'
import type { CustomScheme, Protocol } from 'electron'
import { contentTypeOf, resolveStaticFile } from '../web/static-files'

export const APP_SCHEME = 'daxlab'
export const APP_HOST = 'app'
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  // standard: a real origin (daxlab://app) with relative URLs; secure: a secure context like https.
  // No CORS and no service workers: the page talks to main only through the preload.
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, allowServiceWorkers: false, bypassCSP: false, stream: true, codeCache: true },
}

/** Must run before app 'ready' (Electron's rule for registerSchemesAsPrivileged). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])
}

/** The answer to one daxlab:// request: a file of the built renderer, or 404/405. */
export async function serveAppRequest(rendererDir: string, request: { url: string; method: string }, contentSecurityPolicy: string): Promise<Response> {
  const headers = { 'Content-Security-Policy': contentSecurityPolicy, 'X-Content-Type-Options': 'nosniff' }
  if (request.method !== 'GET') return new Response('method not allowed', { status: 405, headers })
  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    return new Response('not found', { status: 404, headers })
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return new Response('not found', { status: 404, headers })
  const file = await resolveStaticFile(rendererDir, url.pathname)
  if (!file) return new Response('not found', { status: 404, headers })
  return new Response(await readFile(file.path), { status: 200, headers: { ...headers, 'Content-Type': contentTypeOf(file.path) } })
}

export function handleAppScheme(protocol: Pick<Protocol, 'handle'>, rendererDir: string, contentSecurityPolicy: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererDir, request, contentSecurityPolicy))
}
