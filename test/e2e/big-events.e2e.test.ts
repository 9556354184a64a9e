/**
 * A run of just over 1,000,000 events in Chromium over the web transport: the run the UI bench measures
 * (test/bench/big-run.ts), stored through the contract, opened from the runs table, and its event list
 * scrolled to the end and to the middle. Each time, every row drawn with data must be the right event:
 * its row index, seq, step, kind and pfn checked against getEvents for the same seqs. "From seq" then
 * moves the 1,000,000-row window to the run's last events. The page must keep answering (an animation
 * frame, a click) after each scroll. No timing is asserted here: the figures are bench:ui's.
 */
import { join } from 'node:path'
import type { Locator } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { TOKEN_HEADER, type TraceEventDto } from '../../main/contract/api'
import { BIG_RUN_ITERATIONS, bigScenario } from '../bench/big-run'
import { useStackPage } from './harness'

const { stack, page } = useStackPage({ width: 1400, height: 900 })

async function api<T>(method: string, request: unknown): Promise<T> {
  const response = await fetch(`${stack.bridge.url}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: stack.bridge.token },
    body: JSON.stringify(request),
  })
  const body = (await response.json()) as { ok: boolean; value: T; error?: { message: string } }
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`)
  return body.value
}

interface ShownRow {
  readonly row: number
  readonly seq: number
  readonly step: number
  readonly kind: string
  readonly pfn: string
}

/** The rows the list draws with data (not placeholders), read from the DOM. */
async function shownRows(scroller: Locator): Promise<ShownRow[]> {
  return scroller.evaluate((el) => {
    const rows = (el as unknown as { querySelectorAll(s: string): ArrayLike<{ getAttribute(n: string): string | null; querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> }> }).querySelectorAll('[data-row]')
    const out: { row: number; seq: number; step: number; kind: string; pfn: string }[] = []
    for (const r of Array.from(rows)) {
      const cells = Array.from(r.querySelectorAll('[role=cell]')).map((c) => (c.textContent ?? '').trim())
      if (cells.length < 5) continue // a placeholder: its page has not arrived
      out.push({ row: Number(r.getAttribute('data-row')), seq: Number(cells[0]), step: Number(cells[1]), kind: cells[3]!.split('/')[0]!, pfn: cells[4]! })
    }
    return out.sort((a, b) => a.row - b.row)
  })
}

/** Every row shown is event `windowStart + row`, as the backend has it. */
async function expectRightEvents(runId: number, rows: readonly ShownRow[], windowStart: number): Promise<void> {
  expect(rows.length).toBeGreaterThan(5)
  const events = await api<TraceEventDto[]>('getEvents', { id: runId, fromSeq: windowStart + rows[0]!.row, limit: rows.at(-1)!.row - rows[0]!.row + 1 })
  for (const r of rows) {
    const e = events[r.row - rows[0]!.row]!
    expect(r, `row ${r.row}`).toEqual({ row: r.row, seq: windowStart + r.row, step: e.step, kind: e.kind, pfn: e.pfn })
    expect(e.seq).toBe(windowStart + r.row)
  }
}

/** The page still answers: an animation frame comes, and a click on the kinds filter is handled. */
async function expectResponsive(): Promise<void> {
  await page.evaluate(() => new Promise((resolve) => (globalThis as unknown as { requestAnimationFrame(cb: () => void): void }).requestAnimationFrame(() => resolve(true))))
  await page.getByRole('combobox', { name: 'Event filter' }).click({ timeout: 10_000 })
}

async function scrollTo(scroller: Locator, fraction: number): Promise<void> {
  await scroller.evaluate((el, f) => {
    const e = el as unknown as { scrollTop: number; scrollHeight: number }
    e.scrollTop = e.scrollHeight * f
  }, fraction)
}

describe('a 1M-event run in Chromium', () => {
  it('opens, scrolls its events to the end and the middle, showing the right events', async () => {
    const { runId } = await api<{ runId: number }>('runScenario', { scenario: 'bench-ui-1m', source: bigScenario(BIG_RUN_ITERATIONS), kernel: '6.17' })
    const header = await api<{ summary: { events: number } }>('getRunHeader', { id: runId })
    const total = header.summary.events
    expect(total).toBeGreaterThanOrEqual(1_000_000)

    await page.goto(stack.bridge.pageUrl)
    const row = page.getByTestId('runs-table').locator('tbody tr', { hasText: 'bench-ui-1m' })
    await row.waitFor({ timeout: 30_000 })
    await row.click()
    const trace = page.getByTestId('trace-events')
    const scroller = page.getByTestId('events-scroller')
    await expect.poll(async () => (await shownRows(scroller)).length, { timeout: 30_000 }).toBeGreaterThan(5)
    await expectRightEvents(runId, await shownRows(scroller), 0)
    expect(await trace.innerText()).toContain(`Showing events 0–999999 of ${total}`)

    // The end of the 1,000,000-row window: its last row, inside the scroller's box.
    await scrollTo(scroller, 1)
    await expect.poll(async () => (await shownRows(scroller)).at(-1)?.row, { timeout: 30_000 }).toBe(999_999)
    await expectRightEvents(runId, await shownRows(scroller), 0)
    const box = (await scroller.boundingBox())!
    const last = (await scroller.locator('[data-row="999999"]').boundingBox())!
    expect(last.y + last.height).toBeLessThanOrEqual(box.y + box.height + 1)
    await expectResponsive()

    // The middle.
    await scrollTo(scroller, 0.5)
    await expect.poll(async () => Math.abs(((await shownRows(scroller))[0]?.row ?? 0) - 500_000), { timeout: 30_000 }).toBeLessThan(100)
    await expectRightEvents(runId, await shownRows(scroller), 0)
    await expectResponsive()
    await page.screenshot({ path: join(stack.resultsDir, 'big-events-1400x900.png'), fullPage: true })

    // "From seq" moves the window to the run's last events.
    const from = total - 40
    await trace.getByRole('textbox', { name: 'From seq' }).fill(String(from))
    await trace.getByRole('button', { name: 'Go' }).click()
    // The window starts on the page (of 500 events) holding that seq and runs to the last event.
    const windowText = () => trace.getByText(/^Showing events \d+–\d+ of \d+/).innerText()
    await expect.poll(windowText, { timeout: 30_000 }).toMatch(new RegExp(`–${total - 1} of ${total}`))
    const start = Number(/^Showing events (\d+)/.exec(await windowText())![1])
    expect(start).toBeLessThanOrEqual(from)
    expect(from - start).toBeLessThan(500)
    await scrollTo(scroller, 1)
    await expect.poll(async () => (await shownRows(scroller)).at(-1)?.row, { timeout: 30_000 }).toBe(total - 1 - start)
    await expectRightEvents(runId, await shownRows(scroller), start)
    await expectResponsive()
    expect(stack.problems).toEqual([])
  }, 120_000)
})
