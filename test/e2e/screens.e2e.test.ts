/**
 * Every view (runs, scenarios, bit layout) at 1400x900 and at the window's minimum size (900x600, main/app/window.ts), with a run
 * opened: screenshots in test-results/<view>-<w>x<h>.png, no horizontal overflow, and the bit layout
 * readable at the minimum width: bit numbers that do not run together, and bit numbers and empty
 * cells at WCAG AA contrast (>= 4.5:1), arch vs arch stacked. The header's tabs at those sizes and at
 * 700x500 (a browser window may be smaller than the app's): every tab whole inside the header and the
 * window, none over another, each label on one line, and so with a ninth tab added too
 * (test-results/header-<w>x<h>.png, header-9-tabs-<w>x<h>.png).
 */
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { noHorizontalOverflow as noOverflow, startStack, type Stack } from './harness'

const SIZES = [
  { width: 1400, height: 900 },
  { width: 900, height: 600 },
] as const

let stack: Stack
let page: Page

beforeAll(async () => {
  stack = await startStack({ width: 1400, height: 900 })
  page = stack.page
})

afterAll(async () => {
  await stack?.close()
})

// In-page helpers as strings: this file is type-checked without the DOM library.
const CONTRAST_JS = `(selector) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number)
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 }
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
  }
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor)
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3)
    }
    return [255, 255, 255]
  }
  return [...document.querySelectorAll(selector)]
    .filter((el) => getComputedStyle(el).visibility !== 'hidden' && el.textContent.trim() !== '')
    .map((el) => {
      const a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el))
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)
    })
}`

const OVERLAPS_JS = `(root) => {
  const boxes = [...document.querySelectorAll(root + ' .reg-bitno')]
    .filter((el) => getComputedStyle(el).visibility !== 'hidden')
    .map((el) => { const r = document.createRange(); r.selectNodeContents(el); const b = r.getBoundingClientRect(); return { text: el.textContent, left: b.left, right: b.right } })
    .sort((a, b) => a.left - b.left)
  const out = []
  for (let i = 1; i < boxes.length; i++) if (boxes[i].left < boxes[i - 1].right + 1) out.push(boxes[i - 1].text + '/' + boxes[i].text)
  return { shown: boxes.length, overlaps: out }
}`

const noHorizontalOverflow = () => noOverflow(page)

interface Box {
  readonly left: number
  readonly right: number
  readonly top: number
  readonly bottom: number
}

interface HeaderLayout {
  readonly header: Box & { readonly scrollWidth: number; readonly clientWidth: number }
  readonly tabs: readonly (Box & { readonly label: string; readonly lines: number })[]
}

// The header's box and each tab's, with the number of lines its label takes (its text's line boxes).
const HEADER_JS = `() => {
  const box = (b) => ({ left: b.left, right: b.right, top: b.top, bottom: b.bottom })
  const header = document.querySelector('.app-header')
  const tabs = [...header.querySelectorAll('.app-tab')].map((el) => {
    const range = document.createRange()
    range.selectNodeContents(el)
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)))
    return { ...box(el.getBoundingClientRect()), label: el.textContent.trim(), lines: tops.size }
  })
  return { header: { ...box(header.getBoundingClientRect()), scrollWidth: header.scrollWidth, clientWidth: header.clientWidth }, tabs }
}`

// A ninth tab, a copy of the last with a label as long as the longest: what a new view would add.
const ADD_TAB_JS = `() => {
  const last = [...document.querySelectorAll('.app-tab')].pop()
  const extra = last.cloneNode(true)
  extra.removeAttribute('id')
  extra.setAttribute('data-extra-tab', '')
  extra.textContent = 'A ninth view'
  last.after(extra)
}`

/** Every tab is whole inside the header and the window, on one line, and no two overlap. */
function expectTabsFit(layout: HeaderLayout, width: number, tabs: number): void {
  const { header } = layout
  expect(layout.tabs).toHaveLength(tabs)
  expect(header.scrollWidth).toBeLessThanOrEqual(header.clientWidth)
  expect(header.right).toBeLessThanOrEqual(width)
  for (const tab of layout.tabs) {
    expect(tab, tab.label).toMatchObject({ lines: 1 })
    expect(tab.left, tab.label).toBeGreaterThanOrEqual(header.left)
    expect(tab.right, tab.label).toBeLessThanOrEqual(Math.min(header.right, width))
    expect(tab.top, tab.label).toBeGreaterThanOrEqual(header.top)
    expect(tab.bottom, tab.label).toBeLessThanOrEqual(header.bottom)
  }
  for (const [i, a] of layout.tabs.entries()) {
    for (const b of layout.tabs.slice(i + 1)) {
      const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top
      expect(apart, `${a.label} / ${b.label}`).toBe(true)
    }
  }
}

describe('every view at 1400x900 and at the minimum window size', () => {
  it('opens a run to show in the runs view', async () => {
    await page.goto(stack.bridge.pageUrl)
    const scenario = page.getByRole('combobox', { name: 'Scenario' })
    await expect.poll(() => scenario.locator('option').count()).toBeGreaterThan(5)
    await scenario.selectOption('fsdax-truncate-after-munmap')
    await page.getByRole('combobox', { name: 'Kernel' }).fill('6.14')
    await page.getByRole('button', { name: 'Run scenario' }).click()
    await expect.poll(() => page.getByTestId('folio-chart').getAttribute('data-drawn')).not.toBeNull()
  })

  for (const size of SIZES) {
    const tag = `${size.width}x${size.height}`
    it(`runs view at ${tag}`, async () => {
      await page.setViewportSize(size)
      await page.getByRole('tab', { name: 'Runs' }).click()
      await page.getByTestId('run-detail').waitFor()
      // The chart follows the panel's width.
      await expect.poll(async () => (await page.getByTestId('folio-chart').locator('canvas').first().boundingBox())!.width).toBeLessThan(size.width)
      await noHorizontalOverflow()
      await page.screenshot({ path: join(stack.resultsDir, `runs-${tag}.png`), fullPage: true })
    })

    it(`scenarios view at ${tag}`, async () => {
      await page.setViewportSize(size)
      await page.getByRole('tab', { name: 'Scenarios' }).click()
      await page.getByTestId('scenario-text').waitFor()
      await noHorizontalOverflow()
      await page.screenshot({ path: join(stack.resultsDir, `scenarios-${tag}.png`), fullPage: true })
    })

    it(`bit layout at ${tag}, x86 stacked with arm64: readable bit numbers at AA contrast`, async () => {
      await page.setViewportSize(size)
      await page.getByRole('tab', { name: 'Bit layout' }).click()
      await page.getByRole('combobox', { name: 'Stack with' }).selectOption('arm64')
      const other = page.getByTestId('other-arch')
      await other.getByTestId('register-diagram').waitFor()
      expect(await other.innerText()).toContain('arm64 (AArch64)')
      expect(await other.locator('[data-bit]').count()).toBe(64)
      for (const root of ['[data-testid=bit-layout] > .register', '[data-testid=other-arch]']) {
        const { shown, overlaps } = await page.evaluate<{ shown: number; overlaps: string[] }>(`(${OVERLAPS_JS})(${JSON.stringify(root)})`)
        expect(shown).toBeGreaterThanOrEqual(17) // at least every nibble edge
        expect(overlaps).toEqual([])
      }
      const bitNumbers = await page.evaluate<number[]>(`(${CONTRAST_JS})('.reg-bitno')`)
      const emptyCells = await page.evaluate<number[]>(`(${CONTRAST_JS})('.reg-cell.k-unused:not(.set)')`)
      expect(bitNumbers.length).toBeGreaterThan(16)
      expect(emptyCells.length).toBeGreaterThan(0)
      expect(Math.min(...bitNumbers)).toBeGreaterThanOrEqual(4.5)
      expect(Math.min(...emptyCells)).toBeGreaterThanOrEqual(4.5)
      await noHorizontalOverflow()
      await page.screenshot({ path: join(stack.resultsDir, `bit-layout-${tag}.png`), fullPage: true })
      await page.getByRole('combobox', { name: 'Stack with' }).selectOption('')
    })
  }

  for (const size of [...SIZES, { width: 700, height: 500 }]) {
    const tag = `${size.width}x${size.height}`
    it(`header at ${tag}: every tab whole and on one line, and with a ninth tab too`, async () => {
      await page.setViewportSize(size)
      await page.getByRole('tab', { name: 'Runs' }).click()
      // Off the tabs, so no hover colour is in the screenshots.
      await page.mouse.move(1, size.height - 1)
      const header = page.locator('.app-header')
      expectTabsFit(await page.evaluate<HeaderLayout>(`(${HEADER_JS})()`), size.width, 8)
      await header.screenshot({ path: join(stack.resultsDir, `header-${tag}.png`) })
      await page.evaluate(`(${ADD_TAB_JS})()`)
      try {
        expectTabsFit(await page.evaluate<HeaderLayout>(`(${HEADER_JS})()`), size.width, 9)
        await header.screenshot({ path: join(stack.resultsDir, `header-9-tabs-${tag}.png`) })
      } finally {
        await page.evaluate(`document.querySelector('[data-extra-tab]')?.remove()`)
      }
    })
  }

  it('logged no console errors or CSP violations', () => {
    expect(stack.problems).toEqual([])
  })
})
