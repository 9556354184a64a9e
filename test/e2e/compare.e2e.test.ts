/**
 * The compare view in Chromium through the web transport: runs of one scenario under 6.14 and 6.17
 * ticked in the runs table and compared, the jump to the first divergence, the cursor shared by the
 * table and both charts, and "Compare 6.14 with 6.17" from the library. Screenshots of the view at
 * 1400x900 and at the window's minimum size (900x600) in test-results/compare-<w>x<h>.png.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useStackPage } from './harness'

const { stack, page } = useStackPage({ width: 1400, height: 900 })

// No horizontal scrollbar on the page: the view fits the window.
const OVERFLOW_JS = 'document.documentElement.scrollWidth - document.documentElement.clientWidth'

describe('compare view in Chromium', () => {
  it('compares two runs ticked in the runs table and jumps to the first divergence', async () => {
    await page.goto(stack.bridge.pageUrl)
    const scenario = page.getByTestId('run-form').getByRole('combobox', { name: 'Scenario' })
    await expect.poll(() => scenario.locator('option').count()).toBeGreaterThan(5)
    for (const kernel of ['6.14', '6.17']) {
      await scenario.selectOption('fsdax-truncate-after-munmap')
      await page.getByTestId('run-form').getByRole('combobox', { name: 'Kernel' }).fill(kernel)
      await page.getByRole('button', { name: 'Run scenario' }).click()
      await expect.poll(() => page.getByTestId('runs-table').locator('tbody tr', { hasText: kernel }).count()).toBe(1)
    }
    const compareButton = page.getByTestId('compare-selected')
    expect(await compareButton.isDisabled()).toBe(true)
    await page.locator('[data-check-run="1"]').check()
    await page.locator('[data-check-run="2"]').check()
    await compareButton.click()

    await expect.poll(() => page.getByRole('tab', { name: 'Compare' }).getAttribute('aria-selected')).toBe('true')
    const runs = page.getByTestId('compare-runs')
    await runs.waitFor()
    // The kernel and scheme rows differ and are marked; the scenario row is the same.
    expect(await runs.locator('tr[data-field="kernel"]').getAttribute('class')).toContain('compare-diff-row')
    expect(await runs.locator('tr[data-field="scenario"]').getAttribute('class')).not.toContain('compare-diff-row')
    const summary = await page.getByTestId('first-divergence').innerText()
    const step = Number(/First divergence: step (\d+)/.exec(summary)?.[1])
    expect(Number.isInteger(step)).toBe(true)

    // Both charts are drawn.
    await expect.poll(() => page.getByTestId('compare-charts').locator('[data-testid=folio-chart][data-drawn]').count()).toBe(2)

    // A drag across the first chart zooms both to the same steps; Reset zoom brings both back.
    const charts = page.getByTestId('compare-charts').locator('[data-testid=folio-chart]')
    const whole = await charts.nth(1).getAttribute('data-x-range')
    await charts.nth(0).scrollIntoViewIfNeeded()
    const over = (await charts.nth(0).locator('.u-over').boundingBox())!
    await page.mouse.move(over.x + over.width * 0.3, over.y + over.height / 2)
    await page.mouse.down()
    await page.mouse.move(over.x + over.width * 0.7, over.y + over.height / 2, { steps: 4 })
    await page.mouse.up()
    await expect.poll(() => charts.nth(0).getAttribute('data-x-range')).not.toBe(whole)
    await expect.poll(() => charts.nth(1).getAttribute('data-x-range')).not.toBe(whole)
    expect(await charts.nth(1).getAttribute('data-x-range')).toBe(await charts.nth(0).getAttribute('data-x-range'))
    await page.getByTestId('reset-zoom').click()
    await expect.poll(() => charts.nth(1).getAttribute('data-x-range')).toBe(whole)
    expect(await charts.nth(0).getAttribute('data-x-range')).toBe(whole)

    await page.getByTestId('jump-first-divergence').click()
    await expect.poll(() => page.getByTestId('compare-cursor').innerText()).toBe(`cursor at step ${step}`)
    const row = page.getByTestId('compare-steps').locator(`[data-step="${step}"]`)
    await row.waitFor()
    expect(await row.getAttribute('class')).toContain('focused')
    // The differing values are marked in the cells of both runs.
    expect(await row.locator('.compare-diff').count()).toBeGreaterThanOrEqual(2)

    // Next divergence moves the cursor forward (or stays at the last one).
    await page.getByTestId('next-divergence').click()
    await expect.poll(async () => Number(/(\d+)$/.exec(await page.getByTestId('compare-cursor').innerText())?.[1])).toBeGreaterThanOrEqual(step)

    // A click on a row moves the shared cursor.
    await page.getByTestId('compare-steps').locator('[data-step="1"]').click()
    await expect.poll(() => page.getByTestId('compare-cursor').innerText()).toBe('cursor at step 1')

    for (const size of [
      { width: 1400, height: 900 },
      { width: 900, height: 600 },
    ]) {
      await page.setViewportSize(size)
      await page.waitForTimeout(300)
      expect(await page.evaluate(OVERFLOW_JS)).toBeLessThanOrEqual(0)
      await page.screenshot({ path: join(stack.resultsDir, `compare-${size.width}x${size.height}.png`), fullPage: true })
    }
    await page.setViewportSize({ width: 1400, height: 900 })
    expect(stack.problems).toEqual([])
  })

  it('runs a library scenario under 6.14 and 6.17 and opens their comparison', async () => {
    await page.getByRole('tab', { name: 'Scenarios' }).click()
    await page.getByTestId('scenario-index').getByRole('button', { name: 'fsdax-pin-unpin', exact: true }).click()
    await page.getByTestId('compare-schemes').click()
    await expect.poll(() => page.getByRole('tab', { name: 'Compare' }).getAttribute('aria-selected')).toBe('true')
    await expect.poll(async () => (await page.getByTestId('compare-runs').innerText()).includes('fsdax-pin-unpin')).toBe(true)
    const head = await page.getByTestId('compare-runs').locator('thead').innerText()
    expect(head).toContain('run 3')
    expect(head).toContain('run 4')
    expect(await page.getByTestId('compare-runs').locator('tr[data-field="kernel"]').innerText()).toMatch(/6\.14\s+6\.17/)
    expect(stack.problems).toEqual([])
  })
})
