/**
 * The bit-layout view in a real browser: the built renderer served by the web bridge (real services on a
 * temporary database), headless Chromium driven by playwright-core. Leaves screenshots in
 * test-results/bit-layout.png (x86, 6.16 compared with 6.17, decoding the devmap PTE) and
 * test-results/bit-layout-riscv.png.
 */
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from './harness'

const WIDTH = 1360

let stack: Stack
let page: Page
let pageProblems: string[]

beforeAll(async () => {
  stack = await startStack({ width: WIDTH, height: 900 })
  page = stack.page
  pageProblems = stack.problems
})

afterAll(async () => {
  await stack?.close()
})

/** The register diagram must fit the page: no horizontal scrolling, every cell inside the grid. */
async function expectNoOverflow(): Promise<void> {
  // Expressions as strings: this file is type-checked without the DOM library.
  const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth')
  const clientWidth = await page.evaluate<number>('document.documentElement.clientWidth')
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth)
  const grid = (await page.locator('[data-testid="register-diagram"] .register-grid').boundingBox())!
  const cells = page.getByTestId('register-diagram').locator('[data-bit]')
  expect(await cells.count()).toBe(64)
  const first = (await cells.first().boundingBox())!
  const last = (await cells.last().boundingBox())!
  expect(first.x).toBeGreaterThanOrEqual(grid.x)
  expect(last.x + last.width).toBeLessThanOrEqual(grid.x + grid.width + 0.5)
  expect(grid.x + grid.width).toBeLessThanOrEqual(clientWidth)
  expect(Math.min(first.width, last.width)).toBeGreaterThan(14)
}

describe('bit layout view in Chromium', () => {
  it('opens from its tab and keeps the runs view one click away', async () => {
    await page.goto(stack.bridge.pageUrl)
    const runsTab = page.getByRole('tab', { name: 'Runs' })
    const layoutTab = page.getByRole('tab', { name: 'Bit layout' })
    expect(await runsTab.getAttribute('aria-selected')).toBe('true')
    await layoutTab.click()
    expect(await layoutTab.getAttribute('aria-selected')).toBe('true')
    expect(await runsTab.getAttribute('aria-selected')).toBe('false')
    await page.getByTestId('register-diagram').waitFor()
    expect(await page.getByTestId('run-form').isVisible()).toBe(false)
  })

  it('shows x86 bit 57 as DEVMAP, freed in 6.17, and decodes the devmap PTE', async () => {
    await page.getByRole('combobox', { name: 'Arch' }).selectOption('x86')
    await page.getByRole('combobox', { name: 'Variant' }).selectOption('4-level')
    await page.getByRole('combobox', { name: 'Kernel' }).selectOption('6.16')
    await page.getByRole('combobox', { name: 'Compare with' }).selectOption('6.17')
    await page.getByRole('combobox', { name: 'Level' }).selectOption('pte')

    const diagram = page.getByTestId('register-diagram')
    const bit57 = diagram.locator('[data-bit="57"]')
    await expect.poll(() => bit57.getAttribute('data-change')).toBe('freed')
    expect(await bit57.getAttribute('data-field')).toBe('DEVMAP')
    expect(await bit57.getAttribute('data-kind')).toBe('devmap')
    expect(await bit57.getAttribute('title')).toContain('DEVMAP → SOFTW4 (freed) in 6.17')
    expect(await diagram.locator('[data-change]').count()).toBe(1)
    expect(await page.getByTestId('layout-changes').innerText()).toContain('DEVMAP → SOFTW4 (freed)')
    // Bits 63..0 left to right.
    const order = await diagram.locator('[data-bit]').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-bit'))))
    expect(order).toEqual(Array.from({ length: 64 }, (_, i) => 63 - i))

    // Hovering a field label shows its macro, meaning and source in the detail panel.
    await diagram.locator('button.reg-label[data-field="NX"]').hover()
    await expect.poll(() => page.getByTestId('field-details').innerText()).toContain('_PAGE_NX')
    await diagram.locator('button.reg-label[data-field="DEVMAP"]').hover()
    const details = await page.getByTestId('field-details').innerText()
    expect(details).toContain('_PAGE_DEVMAP')
    expect(details).toContain('6.6..6.16')
    expect(details).toContain('pgtable_types.h')

    const input = page.getByRole('textbox', { name: 'Entry value' })
    await input.fill('')
    await input.fill('0x8200000300000225')
    await expect.poll(() => page.getByTestId('decoded-pfn').innerText()).toBe('0x300000')
    const flags = await page.getByTestId('decoded-flags').innerText()
    for (const flag of ['PRESENT', 'USER', 'ACCESSED', 'SPECIAL', 'DEVMAP', 'NX']) expect(flags).toContain(flag)
    expect(await bit57.getAttribute('data-set')).toBe('true')
    expect(await diagram.locator('[data-bit="1"]').getAttribute('data-set')).toBe('false')
    expect(await diagram.locator('[data-set="true"]').count()).toBe(8)

    await expectNoOverflow()
    await page.screenshot({ path: join(stack.resultsDir, 'bit-layout.png'), fullPage: true })
  })

  it('shows an inline error for a value that is not 64-bit hex', async () => {
    const input = page.getByRole('textbox', { name: 'Entry value' })
    await input.fill('0xnot-a-pte')
    const error = page.getByTestId('entry-error')
    await error.waitFor()
    expect(await error.innerText()).toBe('not a 64-bit hex value')
    expect(await input.getAttribute('aria-invalid')).toBe('true')
    expect(await page.getByTestId('register-diagram').locator('[data-set]').count()).toBe(0)
    await input.fill('0x8200000300000225')
    await expect.poll(() => error.count()).toBe(0)
  })

  it('draws riscv with its example devmap leaf', async () => {
    await page.getByRole('combobox', { name: 'Arch' }).selectOption('riscv')
    expect(await page.getByRole('combobox', { name: 'Variant' }).inputValue()).toBe('sv39')
    await page.getByRole('combobox', { name: 'Level' }).selectOption('pmd')
    await page.getByRole('button', { name: 'Example devmap pmd' }).click()
    await expect.poll(() => page.getByTestId('decoded-pfn').innerText()).toBe('0x300000')
    expect(await page.getByTestId('decoded-flags').innerText()).toContain('DEVMAP')
    const bit9 = page.getByTestId('register-diagram').locator('[data-bit="9"]')
    expect(await bit9.getAttribute('data-field')).toBe('DEVMAP')
    expect(await bit9.getAttribute('data-change')).toBe('freed')
    await expectNoOverflow()
    await page.screenshot({ path: join(stack.resultsDir, 'bit-layout-riscv.png'), fullPage: true })
  })

  it('keeps the runs view working after switching back', async () => {
    await page.getByRole('tab', { name: 'Runs' }).click()
    await page.getByTestId('run-form').waitFor()
    expect(await page.getByRole('combobox', { name: 'Scenario' }).locator('option').count()).toBeGreaterThan(5)
    expect(pageProblems).toEqual([])
  })
})
