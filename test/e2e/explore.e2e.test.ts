/**
 * The Explore view in Chromium through the web transport: race-locked-entry-skip explored on 6.15 (the
 * xas_pause() skip: dma_after_release), the outcome table, the shortest schedule as swimlanes beside
 * the refcount chart of its replay, "Open as run" (the Runs view shows the violation) and "Compare with
 * sequential" (the Compare view lines up both runs); then a search cut by its bound says so. Screenshots
 * in test-results/explore-<w>x<h>.png, explore-compare-1400x900.png and explore-bound-900x600.png.
 */
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import type { RunSummary } from '../../main/contract/api'
import { labCall, noHorizontalOverflow, useStack, type Stack } from './harness'

const current = useStack({ width: 1400, height: 900 })
let stack: Stack
let page: Page
/** The run the first test's counterexample was replayed into: the later search of the same scenario reuses it. */
let firstReplay: string | undefined

beforeAll(() => {
  stack = current()
  page = stack.page
})

async function explore(scenario: string, kernel: string, maxSchedules?: number): Promise<void> {
  const form = page.getByTestId('explore-form')
  const select = form.getByRole('combobox', { name: 'Scenario to explore' })
  await expect.poll(() => select.locator('option').count()).toBeGreaterThan(5)
  await select.selectOption(scenario)
  await form.getByRole('combobox', { name: 'Kernel' }).fill(kernel)
  if (maxSchedules !== undefined) await form.getByLabel('Max schedules').fill(String(maxSchedules))
  await form.getByTestId('start-explore').click()
  await expect.poll(() => form.getByTestId('start-explore').innerText(), { timeout: 60_000 }).toBe('Explore')
}

describe('explore view in Chromium', () => {
  it('finds the 6.15.0 locked-entry skip, draws its schedule beside the chart, opens it as a run and compares it', async () => {
    await page.goto(stack.bridge.pageUrl)
    await page.getByRole('tab', { name: 'Explore' }).click()
    await explore('race-locked-entry-skip', '6.15')

    const result = page.getByTestId('explore-result')
    await result.waitFor()
    expect(await page.getByTestId('explore-verdict').innerText()).toMatch(/^\d+ of \d+ schedules reach a violation \(dma_after_release\)\.$/)
    expect(await page.getByTestId('explore-bound-note').count()).toBe(0)
    const outcomes = page.getByTestId('explore-outcomes').locator('tbody tr')
    expect(await outcomes.count()).toBeGreaterThan(1)
    expect(await page.getByTestId('explore-outcomes').innerText()).toContain('dma_after_release')
    expect(await page.getByTestId('explore-outcomes').innerText()).toContain('none')

    // The shortest schedule is selected: its swimlanes (three lanes, a box per atomic step, racing ones marked).
    const ce = page.getByTestId('counterexamples').locator('tr[data-kind="dma_after_release"]')
    await expect.poll(() => ce.getAttribute('aria-selected')).toBe('true')
    const length = Number(await ce.locator('td').nth(1).innerText())
    const lanes = page.getByTestId('swimlanes')
    expect(Number(await lanes.getAttribute('data-steps'))).toBe(length)
    expect(await lanes.locator('[data-swim-step]').count()).toBe(length)
    expect(await lanes.locator('.swim-lane-name').allInnerTexts()).toEqual(['mce', 'trunc', 'dma'])
    expect(await lanes.locator('[data-racing="true"]').count()).toBeGreaterThan(0)
    expect(await lanes.locator('.swim-box.last').count()).toBe(1)
    // Hover text: the atomic step's kernel code and its source.
    const title = (await lanes.locator('[data-swim-step="0"]').getAttribute('title'))!
    expect(title).toMatch(/^1\. \w+: /)
    expect(title).toMatch(/(fs|mm)\/[a-z-]+\.c/)
    // Boxes in schedule order, top to bottom, each in its task's lane.
    const ys: number[] = []
    for (let i = 0; i < length; i++) ys.push((await lanes.locator(`[data-swim-step="${i}"]`).boundingBox())!.y)
    expect(ys).toEqual([...ys].sort((a, b) => a - b))
    expect(new Set(ys).size).toBe(length)
    const mceLane = (await lanes.locator('[data-lane="mce"]').boundingBox())!
    const mceBox = (await lanes.locator('[data-task="mce"]').first().boundingBox())!
    expect(Math.abs(mceBox.x + mceBox.width / 2 - (mceLane.x + mceLane.width / 2))).toBeLessThan(2)

    // The chart of the replayed run, beside the swimlanes.
    const chart = page.getByTestId('counterexample-detail').getByTestId('folio-chart')
    await expect.poll(() => chart.getAttribute('data-drawn')).not.toBeNull()
    const laneBox = (await lanes.boundingBox())!
    const chartBox = (await chart.boundingBox())!
    expect(chartBox.x).toBeGreaterThan(laneBox.x + laneBox.width / 2)
    // The steps on the violating folio (the chart's) are marked once the replay is charted.
    await expect.poll(() => lanes.locator('[data-on-folio="true"]').count()).toBeGreaterThan(0)
    const replay = /run (\d+)/.exec(await page.getByTestId('replay-run').innerText())![1]!
    firstReplay = replay
    await noHorizontalOverflow(page)
    await page.getByTestId('counterexample-detail').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(stack.resultsDir, 'explore-1400x900.png'), fullPage: true })

    await page.getByTestId('open-as-run').click()
    await expect.poll(() => page.getByRole('tab', { name: 'Runs' }).getAttribute('aria-selected')).toBe('true')
    const detail = page.getByTestId('run-detail')
    await expect.poll(() => detail.locator('h2').innerText()).toContain('race-locked-entry-skip')
    await expect.poll(() => detail.getByTestId('violations-table').innerText()).toContain('dma_after_release')
    expect(await page.getByTestId('runs-table').locator('tbody tr').count()).toBe(1)

    await page.getByRole('tab', { name: 'Explore' }).click()
    await page.getByTestId('compare-sequential').click()
    await expect.poll(() => page.getByRole('tab', { name: 'Compare' }).getAttribute('aria-selected')).toBe('true')
    const runs = page.getByTestId('compare-runs')
    await runs.waitFor()
    await expect.poll(() => runs.innerText()).toContain(`run ${replay}`)
    expect(await runs.innerText()).toContain('race-locked-entry-skip')
    await expect.poll(() => page.getByTestId('compare-charts').locator('[data-testid=folio-chart][data-drawn]').count()).toBe(2)
    await page.screenshot({ path: join(stack.resultsDir, 'explore-compare-1400x900.png'), fullPage: true })
    expect(stack.problems).toEqual([])
  })

  it('says a search cut by its bound is not complete, at the smallest window too', async () => {
    await page.setViewportSize({ width: 900, height: 600 })
    await page.getByRole('tab', { name: 'Explore' }).click()
    await explore('race-gup-fast-truncate', '6.14', 5)
    const note = page.getByTestId('explore-bound-note')
    await note.waitFor()
    expect(await note.innerText()).toMatch(/^Not complete: --max-schedules 5: .* not explored\. .*proves nothing\.$/)
    expect(await page.getByTestId('explore-outcomes').locator('tbody').innerText()).toBe('No schedule ran to its end within the bound.')
    await noHorizontalOverflow(page)
    await page.screenshot({ path: join(stack.resultsDir, 'explore-bound-900x600.png'), fullPage: true })
    // A whole search at this size: the chart goes under the swimlanes, nothing scrolls sideways.
    await explore('race-locked-entry-skip', '6.15', 20_000)
    const lanes = page.getByTestId('swimlanes')
    await lanes.waitFor()
    const chart = page.getByTestId('counterexample-detail').getByTestId('folio-chart')
    await expect.poll(() => chart.getAttribute('data-drawn')).not.toBeNull()
    const laneBox = (await lanes.boundingBox())!
    expect((await chart.boundingBox())!.y).toBeGreaterThan(laneBox.y + laneBox.height - 1)
    await noHorizontalOverflow(page)
    await page.screenshot({ path: join(stack.resultsDir, 'explore-900x600.png'), fullPage: true })
    // The same counterexample as the first test's search: its replay is looked up, not stored again,
    // and selecting it twice more stores nothing either.
    expect(firstReplay).toBeDefined()
    await expect.poll(() => page.getByTestId('replay-run').innerText()).toContain(`run ${firstReplay} `)
    const ce = page.getByTestId('counterexamples').locator('tr[data-kind="dma_after_release"]')
    await ce.click()
    await ce.click()
    await expect.poll(() => page.getByTestId('replay-run').innerText()).toContain(`run ${firstReplay} `)
    const races = (await labCall<RunSummary[]>(stack, 'listRuns', { scenario: 'race-locked-entry-skip' })).map((r) => r.id)
    // The replay and the first test's sequential run, nothing more.
    expect(races).toHaveLength(2)
    expect(races).toContain(Number(firstReplay))
    expect(stack.problems).toEqual([])
  })
})
