/**
 * The whole stack in a real browser: the built renderer served by the web bridge, the real services on a
 * temporary database, headless Chromium driven by playwright-core. Leaves a screenshot in
 * test-results/runs-view.png.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { finding } from '../../main/sim/findings'
import type { ViolationKind } from '../../main/sim/result'
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
    await page.goto(stack.bridge.pageUrl)
    const scenario = page.getByRole('combobox', { name: 'Scenario' })
    await expect.poll(() => scenario.locator('option').count()).toBeGreaterThan(5)
    await scenario.selectOption('fsdax-pin-unpin')
    await page.getByRole('combobox', { name: 'Kernel' }).fill('6.14')
    await page.getByRole('button', { name: 'Run scenario' }).click()

    const row = page.getByTestId('runs-table').locator('tbody tr', { hasText: 'fsdax-pin-unpin' })
    await row.waitFor()
    await expect.poll(() => row.count()).toBe(1)
    expect(await row.innerText()).toContain('6.14')
    await row.click()

    const detail = page.getByTestId('run-detail')
    await detail.waitFor()
    expect(await detail.locator('h2').innerText()).toContain('fsdax-pin-unpin')
    // The step list is virtualised: rows come a page at a time, each with its arguments.
    const steps = page.getByTestId('steps-list')
    await expect.poll(() => steps.locator('[role=row][data-step]').count()).toBeGreaterThan(3)
    expect(await steps.locator('[data-step="3"]').innerText()).toMatch(/gup\s+id=dio map=m offset=0 pages=1 pin/)
    const refcounts = await page.getByTestId('probe-refcount').allInnerTexts()
    expect(refcounts).toContain('1025')
    // The chart of the busiest folio is drawn (a canvas; data-drawn counts its points).
    await expect.poll(() => page.getByTestId('folio-chart').getAttribute('data-drawn')).not.toBeNull()

    // The trace: every refcount change with the kernel function behind it, filterable by kind.
    const trace = page.getByTestId('trace-events')
    await expect.poll(() => trace.locator('[role=row]').count()).toBeGreaterThan(3)
    await trace.getByRole('combobox', { name: 'Event filter' }).selectOption({ label: 'waits and wakes' })
    await expect.poll(() => trace.getByTestId('events-scroller').innerText()).toContain('put_devmap_managed_folio_refs: wake_up_var')
    await trace.getByRole('combobox', { name: 'Event filter' }).selectOption({ label: 'refcount, mapcount, pincount' })
    await expect.poll(() => trace.getByTestId('events-scroller').innerText()).toContain('GUP_PIN_COUNTING_BIAS')
    expect(await trace.getByTestId('events-scroller').innerText()).toContain('1 → 1025')
    // Filter by step: only that step's events remain.
    await trace.getByRole('textbox', { name: 'Filter step' }).fill('3')
    await trace.getByRole('button', { name: 'Filter' }).click()
    await expect.poll(async () => new Set(await trace.locator('[role=row] [role=cell]:nth-child(2)').allInnerTexts())).toEqual(new Set(['3']))
    await trace.getByRole('textbox', { name: 'Filter pfn' }).fill('zz')
    await trace.getByRole('button', { name: 'Filter' }).click()
    expect(await trace.getByRole('alert').innerText()).toContain('pfn: a pfn in hex')
    await trace.getByRole('textbox', { name: 'Filter pfn' }).fill('')
    await trace.getByRole('textbox', { name: 'Filter step' }).fill('')
    await trace.getByRole('combobox', { name: 'Event filter' }).selectOption({ label: 'all events' })
    await trace.getByRole('button', { name: 'Filter' }).click()

    await page.screenshot({ path: join(stack.resultsDir, 'runs-view.png'), fullPage: true })
    expect(pageProblems).toEqual([])
  })

  it('links a violation to its step and an entry value to the decoder', async () => {
    await page.getByRole('combobox', { name: 'Scenario' }).selectOption('fsdax-truncate-after-munmap')
    await page.getByRole('combobox', { name: 'Kernel' }).fill('6.14')
    await page.getByRole('button', { name: 'Run scenario' }).click()
    const detail = page.getByTestId('run-detail')
    await expect.poll(() => detail.locator('h2').innerText()).toContain('fsdax-truncate-after-munmap')
    const violation = page.getByTestId('violation-step').first()
    await violation.waitFor()
    const step = await violation.innerText()
    // Each violation shows the rule it breaks and the kernel's consequence beside kind and message,
    // the same words `daxlab run` prints (main/sim/findings.ts).
    const first = page.getByTestId('violation-row').first()
    const kind = (await first.locator('td').nth(1).innerText()) as ViolationKind
    expect(await first.getByTestId('violation-rule').innerText()).toBe(finding(kind).rule)
    // A call site may pass a more specific consequence than the kind's own, so only its presence is fixed.
    const consequence = await first.getByTestId('violation-consequence').innerText()
    expect(consequence.length).toBeGreaterThan(10)
    await violation.click()
    const row = page.getByTestId('steps-list').locator(`[data-step="${step}"]`)
    await expect.poll(() => row.getAttribute('class')).toContain('focused')
    expect(await row.getAttribute('class')).toContain('flagged')
    // The flag's tooltip says the same: kind, message, rule and consequence.
    const tooltip = (await row.getByTestId('violation-flag').getAttribute('title')) ?? ''
    expect(tooltip).toContain(`${kind}`)
    expect(tooltip).toContain(`rule: ${finding(kind).rule}`)
    expect(tooltip).toContain(`consequence: ${consequence}`)

    const entry = page.getByTestId('entry-link').first()
    await entry.waitFor()
    const value = await entry.innerText()
    await entry.click()
    await expect.poll(() => page.getByRole('tab', { name: 'Bit layout' }).getAttribute('aria-selected')).toBe('true')
    expect(await page.getByRole('textbox', { name: 'Entry value' }).inputValue()).toBe(value)
    expect(await page.getByTestId('entry-decoder').innerText()).toContain('6.14')
    await page.getByRole('tab', { name: 'Runs' }).click()
    expect(pageProblems).toEqual([])
  })

  it('shows a backend validation error on the field it names', async () => {
    const kernel = page.getByRole('combobox', { name: 'Kernel' })
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

describe('scenarios view in Chromium', () => {
  it('browses the library by topic, shows a scenario with its sources, and runs it from there', async () => {
    pageProblems.length = 0 // the 400 the previous test provoked on purpose is logged by the browser
    await page.getByRole('tab', { name: 'Scenarios' }).click()
    const index = page.getByTestId('scenario-index')
    await expect.poll(() => index.locator('h3').allTextContents()).toEqual([expect.stringContaining('arch-quirks'), expect.stringContaining('devdax'), expect.stringContaining('device-coherent'), expect.stringContaining('device-private'), expect.stringContaining('fsdax'), expect.stringContaining('memory-failure'), expect.stringContaining('p2pdma'), expect.stringContaining('proposal-2022'), expect.stringContaining('races'), expect.stringContaining('series')])
    await index.getByRole('button', { name: 'fsdax-truncate-hang' }).click()
    const detail = page.getByTestId('scenario-detail')
    await expect.poll(() => page.getByTestId('scenario-text').innerText()).toContain('name: fsdax-truncate-hang')
    expect(await page.getByTestId('scenario-sources').innerText()).toContain('fs/dax.c dax_break_layout')
    await detail.getByRole('button', { name: 'Run this scenario' }).click()
    await expect.poll(() => page.getByRole('tab', { name: 'Runs' }).getAttribute('aria-selected')).toBe('true')
    expect(await page.getByRole('combobox', { name: 'Scenario' }).inputValue()).toBe('fsdax-truncate-hang')
    await page.getByRole('combobox', { name: 'Kernel' }).fill('6.17')
    await page.getByRole('button', { name: 'Run scenario' }).click()
    await expect.poll(() => page.getByTestId('run-detail').locator('h2').innerText()).toContain('fsdax-truncate-hang')
    // The text stored with the run, fetched when opened.
    await page.getByTestId('run-scenario').locator('summary').click()
    await expect.poll(() => page.getByTestId('run-scenario').innerText()).toContain('truncate: {task: trunc, file: /mnt/pmem0/data, length: 0}')
    expect(pageProblems).toEqual([])
  })
})

describe('web transport token', () => {
  it('a page opened without the launch token gets no data and says which URL to open', async () => {
    const other = await stack.browser.newPage()
    try {
      await other.goto(stack.bridge.url)
      const alert = other.getByRole('alert')
      await alert.first().waitFor()
      expect(await alert.first().innerText()).toContain('open the full URL')
      expect(await other.getByTestId('runs-table').locator('tbody tr').count()).toBe(0)
    } finally {
      await other.close()
    }
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
