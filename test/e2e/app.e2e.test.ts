/**
 * The whole stack in a real browser: the built renderer served by the web bridge, the real services on a
 * temporary database, headless Chromium driven by playwright-core. Leaves a screenshot in
 * test-results/runs-view.png.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLabService } from '../../main/services/lab-service'
import { startWebBridge, type WebBridge } from '../../main/web/bridge'

const ROOT = resolve(import.meta.dirname, '../..')
const CHROMIUM = process.env.DAXLAB_CHROMIUM ?? '/usr/bin/chromium'

let tempDir: string
let service: ReturnType<typeof createLabService>
let bridge: WebBridge
let browser: Browser
let page: Page
const pageProblems: string[] = []

beforeAll(async () => {
  tempDir = mkdtempSync(join(tmpdir(), 'daxlab-e2e-'))
  service = createLabService({ dbPath: join(tempDir, 'e2e.sqlite') })
  bridge = await startWebBridge({ service, rendererDir: join(ROOT, 'out/renderer') })
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  })
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } })
  // CSP violations and script errors show up here; the page must have none.
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') pageProblems.push(`${msg.type()}: ${msg.text()}`)
  })
  page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`))
  page.on('response', (res) => {
    if (res.status() >= 400 && !new URL(res.url()).pathname.startsWith('/api/')) pageProblems.push(`HTTP ${res.status()}: ${res.url()}`)
  })
})

afterAll(async () => {
  await browser?.close()
  await bridge?.close()
  service?.close()
  if (tempDir) rmSync(tempDir, { recursive: true, force: true })
})

describe('runs view in Chromium', () => {
  it('runs a built-in scenario from the form and shows its probes', async () => {
    await page.goto(bridge.url)
    const scenario = page.getByRole('combobox', { name: 'Scenario' })
    await expect.poll(() => scenario.locator('option').count()).toBeGreaterThan(5)
    await scenario.selectOption('fsdax-pin-unpin')
    await page.getByRole('textbox', { name: 'Kernel' }).fill('6.14')
    await page.getByRole('button', { name: 'Run scenario' }).click()

    const row = page.getByTestId('runs-table').locator('tbody tr', { hasText: 'fsdax-pin-unpin' })
    await row.waitFor()
    await expect.poll(() => row.count()).toBe(1)
    expect(await row.innerText()).toContain('6.14')
    await row.click()

    const detail = page.getByTestId('run-detail')
    await detail.waitFor()
    expect(await detail.locator('h2').innerText()).toContain('fsdax-pin-unpin')
    const refcounts = await page.getByTestId('probe-refcount').allInnerTexts()
    expect(refcounts).toContain('1025')
    expect(await page.getByTestId('steps-table').locator('tbody tr').count()).toBeGreaterThan(3)

    mkdirSync(join(ROOT, 'test-results'), { recursive: true })
    await page.screenshot({ path: join(ROOT, 'test-results/runs-view.png'), fullPage: true })
    expect(pageProblems).toEqual([])
  })

  it('shows a backend validation error on the field it names', async () => {
    const kernel = page.getByRole('textbox', { name: 'Kernel' })
    // Blanks pass the browser's `required`; the form trims them and the contract schema rejects ''.
    await kernel.fill('   ')
    await page.getByRole('button', { name: 'Run scenario' }).click()
    const alert = page.getByRole('alert')
    await alert.waitFor()
    expect(await alert.innerText()).toContain('kernel')
    expect(await kernel.getAttribute('class')).toContain('invalid')
    await page.screenshot({ path: join(ROOT, 'test-results/runs-view-error.png') })
    await alert.getByRole('button', { name: 'Dismiss' }).click()
    await expect.poll(() => alert.count()).toBe(0)
  })
})

describe('built preload', () => {
  it('requires nothing but electron (a sandboxed preload cannot load local files)', () => {
    const code = readFileSync(join(ROOT, 'out/preload/index.cjs'), 'utf8')
    const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])
    expect(new Set(required)).toEqual(new Set(['electron']))
    expect(code).not.toMatch(/\bimport\s*\(/)
  })
})
