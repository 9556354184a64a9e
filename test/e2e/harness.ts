/**
 * The stack every end-to-end test drives: the built renderer served by the web bridge with the real
 * services on a temporary database, and headless Debian Chromium via playwright-core. Console errors,
 * page errors, CSP violations and failed static requests are collected in `problems`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { TOKEN_HEADER } from '../../main/contract/api'
import { createLabService } from '../../main/services/lab-service'
import { startWebBridge, type WebBridge } from '../../main/web/bridge'

export const ROOT = resolve(import.meta.dirname, '../..')
const CHROMIUM = process.env.DAXLAB_CHROMIUM ?? '/usr/bin/chromium'

// Without the background-networking flags Chromium keeps dialling out on a machine with no network.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']

export interface Stack {
  readonly bridge: WebBridge
  readonly browser: Browser
  readonly page: Page
  readonly problems: string[]
  readonly resultsDir: string
  close(): Promise<void>
}

export async function startStack(viewport = { width: 1360, height: 900 }): Promise<Stack> {
  const tempDir = mkdtempSync(join(tmpdir(), 'daxlab-e2e-'))
  const service = createLabService({ dbPath: join(tempDir, 'e2e.sqlite') })
  const bridge = await startWebBridge({ service, rendererDir: join(ROOT, 'out/renderer') })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  const page = await browser.newPage({ viewport })
  const problems: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`)
  })
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
  page.on('response', (res) => {
    if (res.status() >= 400 && !new URL(res.url()).pathname.startsWith('/api/')) problems.push(`HTTP ${res.status()}: ${res.url()}`)
  })
  const resultsDir = join(ROOT, 'test-results')
  mkdirSync(resultsDir, { recursive: true })
  return {
    bridge,
    browser,
    page,
    problems,
    resultsDir,
    async close() {
      await browser.close()
      await bridge.close()
      service.close()
      rmSync(tempDir, { recursive: true, force: true })
    },
  }
}

/** One stack for a whole test file: started before its first test, closed after its last. */
export function useStack(viewport?: { width: number; height: number }): () => Stack {
  let stack: Stack | undefined
  beforeAll(async () => {
    stack = await startStack(viewport)
  })
  afterAll(async () => {
    await stack?.close()
  })
  return () => stack!
}

/** An object that forwards every property to `get()`'s answer, read at each access (methods bound to it). */
function forwardTo<T extends object>(get: () => T): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const target = get()
      const value: unknown = Reflect.get(target, key)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

/**
 * useStack for a test file that drives one page: `const { stack, page } = useStackPage(size)` at the
 * top, usable in any test or hook once the stack has started (before that, any access throws).
 */
export function useStackPage(viewport?: { width: number; height: number }): { readonly stack: Stack; readonly page: Page } {
  const current = useStack(viewport)
  const started = () => {
    const stack = current()
    if (!stack) throw new Error('the stack is not started yet: use it inside a test or hook')
    return stack
  }
  return { stack: forwardTo(started), page: forwardTo(() => started().page) }
}

/** Calls a lab method the way the page does (POST with this launch's token); throws the error a refusal carries. */
export async function labCall<T>(stack: Stack, method: string, request?: unknown): Promise<T> {
  const response = await fetch(`${stack.bridge.url}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: stack.bridge.token },
    ...(request === undefined ? {} : { body: JSON.stringify(request) }),
  })
  const body = (await response.json()) as { ok: boolean; value: T; error?: { message: string } }
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`)
  return body.value
}

/** The page is no wider than its window (nothing scrolls sideways). */
export async function noHorizontalOverflow(page: Page): Promise<void> {
  const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth')
  const clientWidth = await page.evaluate<number>('document.documentElement.clientWidth')
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth)
}
