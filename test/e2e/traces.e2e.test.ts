/**
 * The Traces view in Chromium through the web transport: a `trace-cmd report` corpus file (6.17,
 * consistent) and a raw tracefs file (6.14, a synthetic legacy-rule breach) uploaded and checked; the
 * breach's finding shows its trace line, and a click opens the run in the Runs view with the pfn's
 * timeline charted and the finding's event marked. Screenshots in test-results/traces-*.png.
 */
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { ROOT, noHorizontalOverflow, useStack, type Stack } from './harness'

const FIXTURES = join(ROOT, 'test/trace-import/fixtures')
const current = useStack({ width: 1360, height: 900 })
let stack: Stack
let page: Page

beforeAll(() => {
  stack = current()
  page = stack.page
})

async function upload(file: string, kernel: string, fsdaxPfns: string): Promise<void> {
  const form = page.getByTestId('trace-import-form')
  await form.getByTestId('trace-file').setInputFiles(join(FIXTURES, file))
  await form.locator('input[name="kernel"]').fill(kernel)
  await form.locator('input[name="fsdaxPfns"]').fill(fsdaxPfns)
  await form.getByTestId('trace-import').click()
}

describe('traces view in Chromium', () => {
  it('imports a trace-cmd report and a tracefs file, lists the breach with its line, and opens it at its event', async () => {
    await page.goto(stack.bridge.pageUrl)
    await page.getByRole('tab', { name: 'Traces' }).click()

    await upload('trace-cmd-6.17-fsdax-consistent.txt', '6.17', '0x120000-0x1201ff')
    await expect.poll(() => page.getByTestId('trace-consistent').count(), { timeout: 30_000 }).toBe(1)
    expect(await page.getByTestId('trace-consistent').innerText()).toContain('Consistent with the 6.17 model (refcounted)')
    expect(await page.getByTestId('trace-result').innerText()).toMatch(/Run 1: 8 events from 13 lines/)

    await upload('tracefs-6.14-fsdax-legacy.txt', '6.14', '0x240000-0x2403ff')
    await expect.poll(() => page.getByTestId('trace-finding').count(), { timeout: 30_000 }).toBe(2)
    const findings = page.getByTestId('trace-findings')
    const text = await findings.innerText()
    expect(text).toContain('legacy_fsdax_refcount_zero')
    expect(text).toContain('an FS DAX page reached refcount 0 on a legacy kernel')
    // The trace line itself, as the file has it.
    expect(text).toMatch(/page_ref_mod_and_test: pfn=0x240000 .*count=0/)
    await noHorizontalOverflow(page)
    await page.screenshot({ path: join(stack.resultsDir, 'traces-findings.png'), fullPage: true })

    await findings.getByTestId('trace-finding').nth(1).click()
    await expect.poll(() => page.getByRole('tab', { name: 'Runs' }).getAttribute('aria-selected')).toBe('true')
    await expect.poll(() => page.getByTestId('folio-chart').count(), { timeout: 30_000 }).toBe(1)
    expect(await page.getByTestId('folio-chart').getAttribute('aria-label')).toContain('0x240000')
    const marked = page.getByTestId('trace-events').locator('.vlist-row.focused')
    await expect.poll(() => marked.count(), { timeout: 30_000 }).toBe(1)
    expect(await marked.innerText()).toMatch(/\b24\b[\s\S]*0x240000/)
    // A trace has no scenario steps: the panel says so instead of an empty table.
    expect(await page.getByTestId('no-steps').innerText()).toContain('an imported trace has events, not scenario steps')
    expect(await page.getByTestId('steps-list').count()).toBe(0)
    await page.screenshot({ path: join(stack.resultsDir, 'traces-run-view.png'), fullPage: true })
    expect(stack.problems).toEqual([])
  })
})
