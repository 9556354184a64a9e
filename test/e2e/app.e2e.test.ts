/**
 * The whole stack in a real browser: the built renderer served by the web bridge, the real services on a
 * temporary database, headless Chromium driven by playwright-core. Leaves a screenshot in
 * test-results/runs-view.png.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, startStack, type Stack } from './harness'

let stack: Stack
let page: Page
let pageProblems: string[]

beforeAll(async () => {
  stack = await startStack()
  page = stack.page
  pageProblems = stack.problems
})

afterAll(async () => {
  await stack?.close()
})

describe('runs view in Chromium', () => {
  it('runs a built-in scenario from the form and shows its probes', async () => {
    await page.goto(stack.bridge.url)
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

    // The trace: every refcount change with the kernel function behind it, filterable by kind.
    const trace = page.getByTestId('trace-events')
    await expect.poll(() => trace.locator('tbody tr').count()).toBeGreaterThan(3)
    await trace.getByRole('combobox', { name: 'Event filter' }).selectOption({ label: 'waits and wakes' })
    await expect.poll(() => trace.locator('tbody').innerText()).toContain('put_devmap_managed_folio_refs: wake_up_var')
    await trace.getByRole('combobox', { name: 'Event filter' }).selectOption({ label: 'refcount, mapcount, pincount' })
    await expect.poll(() => trace.locator('tbody').innerText()).toContain('GUP_PIN_COUNTING_BIAS')
    expect(await trace.locator('tbody').innerText()).toContain('1 → 1025')

    await page.screenshot({ path: join(stack.resultsDir, 'runs-view.png'), fullPage: true })
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
    await page.screenshot({ path: join(stack.resultsDir, 'runs-view-error.png') })
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
