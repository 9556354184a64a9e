/**
 * The sessions view in Chromium through the web transport: a sweep with its progress, the session's
 * matrix, the archive exported as a download and imported back as an upload (the Import button's file
 * chooser) under another name, the
 * diff of the two (identical), then a diff against a sweep under another kernel whose changed run opens
 * in the compare view. Screenshots at 1400x900 and 900x600 in test-results/sessions-<w>x<h>.png.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { useStackPage } from './harness'

const { stack, page } = useStackPage({ width: 1400, height: 900 })

const OVERFLOW_JS = 'document.documentElement.scrollWidth - document.documentElement.clientWidth'

async function sweep(session: string, scenarios: string[], kernels: string): Promise<void> {
  const form = page.getByTestId('sweep-form')
  const ticked = form.locator('[data-sweep-scenario]:checked')
  while ((await ticked.count()) > 0) await ticked.first().uncheck()
  for (const s of scenarios) await form.locator(`[data-sweep-scenario="${s}"]`).check()
  await form.getByLabel('Kernels').fill(kernels)
  await form.getByLabel('Sweep session').fill(session)
  await form.getByTestId('start-sweep').click()
  await expect.poll(() => page.getByTestId('sessions-table').locator(`tr[data-session="${session}"]`).count(), { timeout: 30_000 }).toBe(1)
}

describe('sessions view in Chromium', () => {
  it('sweeps, exports, imports, diffs, and opens a changed run in the compare view', async () => {
    await page.goto(stack.bridge.pageUrl)
    await page.getByRole('tab', { name: 'Sessions' }).click()
    const form = page.getByTestId('sweep-form')
    await expect.poll(() => form.locator('[data-sweep-scenario]').count()).toBeGreaterThan(5)
    // x86 is picked by default; add arm64: 2 scenarios x 2 kernels x 2 arches.
    await form.locator('[data-sweep-arch="arm64"]').check()
    expect(await form.getByTestId('start-sweep').innerText()).toBe('Sweep 0 combinations')
    await sweep('base', ['fsdax-pin-unpin', 'devdax-pmd-fault'], '6.14,6.17')
    const row = page.getByTestId('sessions-table').locator('tr[data-session="base"]')
    expect(await row.innerText()).toMatch(/base\s+complete/)
    expect(await page.getByTestId('sweep-outcome').innerText()).toMatch(/Session base: \d+ runs?, \d+ skipped, 0 failed\./)
    // The matrix: 8 combinations, each done (with its run) or skipped (with the reason).
    await expect.poll(() => page.getByTestId('session-combinations').locator('tbody tr').count()).toBe(8)

    const downloading = page.waitForEvent('download')
    await row.locator('[data-export="base"]').click()
    const download = await downloading
    expect(download.suggestedFilename()).toBe('base.daxlab')
    const saved = join(stack.resultsDir, 'base.daxlab')
    await download.saveAs(saved)
    expect(existsSync(saved)).toBe(true)
    expect(readFileSync(saved).subarray(0, 15).toString()).toBe('SQLite format 3')
    await expect.poll(() => page.getByTestId('export-outcome').innerText()).toContain('base.daxlab')

    // Import: the name first, then the button opens the browser's file chooser (an upload).
    await page.getByLabel('Import as').fill('copy')
    const choosing = page.waitForEvent('filechooser')
    await page.getByTestId('import-archive').click()
    const chooser = await choosing
    expect(chooser.isMultiple()).toBe(false)
    await chooser.setFiles(saved)
    await expect.poll(() => page.getByTestId('import-outcome').innerText()).toMatch(/^imported session 'copy' \(\d+ runs\)$/)
    await expect.poll(() => page.getByTestId('sessions-table').locator('tr[data-session="copy"]').count()).toBe(1)

    await page.getByTestId('diff-a').selectOption('base')
    await page.getByTestId('diff-b').selectOption('copy')
    await page.getByTestId('run-diff').click()
    await expect.poll(() => page.getByTestId('diff-summary').innerText()).toMatch(/^Identical: \d+ runs identical, 0 changed$/)

    // A sweep of the same scenario under 6.17 against one under 6.14: one changed run, paired by kernel.
    await form.locator('[data-sweep-arch="arm64"]').uncheck()
    await sweep('old', ['fsdax-truncate-after-munmap'], '6.14')
    await sweep('new', ['fsdax-truncate-after-munmap'], '6.17')
    await page.getByTestId('diff-a').selectOption('old')
    await page.getByTestId('diff-b').selectOption('new')
    await page.getByTestId('run-diff').click()
    await expect.poll(() => page.getByTestId('diff-summary').innerText()).toBe('0 runs identical, 1 changed')
    const changed = page.getByTestId('diff-changed').locator('tbody tr')
    expect(await changed.innerText()).toMatch(/kernel/)

    for (const size of [
      { width: 1400, height: 900 },
      { width: 900, height: 600 },
    ]) {
      await page.setViewportSize(size)
      await page.waitForTimeout(300)
      expect(await page.evaluate(OVERFLOW_JS)).toBeLessThanOrEqual(0)
      await page.screenshot({ path: join(stack.resultsDir, `sessions-${size.width}x${size.height}.png`), fullPage: true })
    }
    await page.setViewportSize({ width: 1400, height: 900 })

    await changed.locator('[data-compare-pair]').click()
    await expect.poll(() => page.getByRole('tab', { name: 'Compare' }).getAttribute('aria-selected')).toBe('true')
    await expect.poll(async () => (await page.getByTestId('compare-runs').locator('tr[data-field="kernel"]').innerText().catch(() => '')).replace(/\s+/g, ' ')).toMatch(/6\.14 6\.17/)
    await expect.poll(() => page.getByTestId('first-divergence').innerText()).toMatch(/First divergence: step \d+/)
    expect(stack.problems).toEqual([])
  })
})
