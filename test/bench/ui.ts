/**
 * `npm run bench:ui`: how fast the desktop lab opens a big stored run, in Chromium, through the web
 * transport with the real services. Prints JSON:
 *   ui_open_1m_events_ms    click on a stored run of >= 1,000,000 events -> its first screen drawn
 *                           (header, first steps, first events, and the folio chart's canvas); cold:
 *                           the services have not read this run before. Goal <= 1000 ms.
 *   ui_reopen_1m_events_ms  the same after opening another run (main keeps the decoded run cached)
 *   ui_scroll_frame_ms      per jump of the step list to a random place: scrollTop set -> the rows
 *                           there rendered with their data (max and median of 20 jumps)
 *   ui_scroll_wheel_frame_ms per frame of a steady scroll (20 rows a frame, like a fast wheel): scrollTop
 *                           moved -> the rows now in view in the DOM (with data, or as placeholders
 *                           until their page arrives) at the next animation frame (max and median
 *                           of 120 frames)
 *   ui_zoom_frame_ms        per zoom of the folio chart by a real mouse drag: mouseup -> the chart
 *                           redrawn and the next frame begun (max and median of 10 drags, each
 *                           followed by a double-click reset)
 * Measured inside the page (performance.now() around the click, polled every animation frame), so
 * the figures hold no test-driver round trips.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { chromium, type Page } from 'playwright-core'
import { buildAppIfStale } from '../../scripts/app-build.mjs'
import { createLabService } from '../../main/services/lab-service'
import { startWebBridge } from '../../main/web/bridge'
import { BIG_RUN_ITERATIONS, bigScenario } from './big-run'

/**
 * The few DOM members the in-page measurements use. This file type-checks as Node code (no DOM lib, so
 * the layer rules stay intact); the functions passed to page.evaluate() run in Chromium and reach the
 * page through globalThis with these types.
 */
interface PageElement {
  textContent: string | null
  scrollTop: number
  click(): void
  getAttribute(name: string): string | null
  querySelector(selector: string): PageElement | null
  querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement>
}
interface PageGlobals {
  document: PageElement
  requestAnimationFrame(callback: () => void): number
}

/** What zoomFrames uses in the page, on top of PageGlobals. */
interface ZoomGlobals extends PageGlobals {
  __zoomMs: Promise<number>
  MutationObserver: new (callback: () => void) => { observe(target: PageElement, options: { attributes: boolean; attributeFilter: string[] }): void; disconnect(): void }
  addEventListener(type: string, listener: () => void, options: { capture: boolean; once: boolean }): void
}

const ROOT = resolve(import.meta.dirname, '../..')
const CHROMIUM = process.env.DAXLAB_CHROMIUM ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic']

/**
 * Drags across the run view's chart with the real mouse (uPlot zooms on mouseup) and times, in the
 * page, from the mouseup to the chart's redraw (its draw hook sets data-drawn) plus one animation
 * frame. A double-click resets the zoom between drags. Sorted times in ms.
 */
async function zoomFrames(page: Page): Promise<number[]> {
  const chart = page.locator('[data-testid=run-detail] [data-testid=folio-chart]').first()
  await chart.scrollIntoViewIfNeeded()
  const over = chart.locator('.u-over')
  const box = (await over.boundingBox())!
  const whole = await chart.getAttribute('data-x-range')
  const y = box.y + box.height / 2
  const times: number[] = []
  for (let i = 0; i < 10; i++) {
    await page.evaluate(() => {
      const g = globalThis as unknown as ZoomGlobals
      g.__zoomMs = new Promise<number>((resolve) => {
        let t0 = 0
        const chart = g.document.querySelector('[data-testid=run-detail] [data-testid=folio-chart]')!
        const watch = new g.MutationObserver(() => {
          if (t0 === 0) return
          watch.disconnect()
          g.requestAnimationFrame(() => resolve(performance.now() - t0))
        })
        watch.observe(chart, { attributes: true, attributeFilter: ['data-drawn'] })
        g.addEventListener('mouseup', () => (t0 = performance.now()), { capture: true, once: true })
      })
    })
    const x1 = box.x + box.width * (0.1 + 0.05 * i)
    await page.mouse.move(x1, y)
    await page.mouse.down()
    await page.mouse.move(x1 + box.width * 0.2, y, { steps: 4 })
    await page.mouse.up()
    times.push(await page.evaluate(() => (globalThis as unknown as ZoomGlobals).__zoomMs))
    // A drag that did not zoom would time some other redraw: refuse the figure instead.
    if ((await chart.getAttribute('data-x-range')) === whole) throw new Error('the drag did not zoom the chart')
    await page.mouse.dblclick(box.x + box.width / 2, y)
    await page.waitForTimeout(100)
  }
  return times.sort((a, b) => a - b)
}

async function main(): Promise<void> {
  buildAppIfStale(ROOT)
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-bench-ui-'))
  const service = createLabService({ dbPath: join(dir, 'bench.sqlite') })
  const bridge = await startWebBridge({ service, rendererDir: join(ROOT, 'out/renderer') })
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  try {
    const t0 = performance.now()
    const big = await service.runScenario({ scenario: 'bench-ui-1m', source: bigScenario(Number(process.env.BENCH_UI_ITERATIONS ?? BIG_RUN_ITERATIONS)), kernel: '6.17' })
    const runSeconds = (performance.now() - t0) / 1000
    const small = await service.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14' })
    const header = (await service.getRunHeader({ id: big.runId }))!
    if (header.summary.events < 1_000_000) throw new Error(`the bench run has ${header.summary.events} events, fewer than 1,000,000`)

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(bridge.pageUrl)
    await page.locator(`[data-testid=runs-table] tbody tr`).nth(1).waitFor()

    /** Clicks the run's row and waits, in the page, until its first screen is drawn. */
    const open = (id: number) =>
      page.evaluate(async (runId) => {
        const g = globalThis as unknown as PageGlobals
        const document = g.document
        const row = document.querySelector(`[data-testid=runs-table] tbody tr[data-run-id="${runId}"]`)!
        const start = performance.now()
        row.click()
        const drawn = () => {
          const title = document.querySelector('[data-testid=run-detail] h2')?.textContent ?? ''
          return (
            title.includes(`Run ${runId} `) &&
            document.querySelector('[data-testid=folio-chart]')?.getAttribute('data-drawn') !== null &&
            document.querySelector('[data-testid=steps-list] [data-step="0"] .mono') !== null &&
            document.querySelectorAll('[data-testid=events-scroller] [role=row] .num').length > 0
          )
        }
        for (;;) {
          await new Promise<void>((r) => g.requestAnimationFrame(r))
          if (drawn()) return performance.now() - start
          if (performance.now() - start > 60_000) throw new Error('the run did not open within 60 s')
        }
      }, id)

    const coldMs = await open(big.runId)
    if (process.env.BENCH_UI_DEBUG) {
      const entries = await page.evaluate(() =>
        (globalThis as unknown as { performance: { getEntriesByType(t: string): { name: string; startTime: number; responseEnd: number }[] } }).performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/api/'))
          .map((e) => `${e.name.replace(/.*\/api\//, '')} ${Math.round(e.startTime)}..${Math.round(e.responseEnd)}`),
      )
      process.stderr.write(entries.join('\n') + '\n')
    }
    await open(small.runId)
    const warmMs = await open(big.runId)

    const frames = await page.evaluate(async (total) => {
      const g = globalThis as unknown as PageGlobals
      const scroller = g.document.querySelector('[data-testid=steps-scroller]')!
      const times: number[] = []
      let seed = 7
      for (let i = 0; i < 20; i++) {
        seed = (seed * 48271) % 2147483647
        const target = seed % total
        const start = performance.now()
        scroller.scrollTop = target * 26
        for (;;) {
          await new Promise<void>((r) => g.requestAnimationFrame(r))
          const row = scroller.querySelector(`[data-step="${target}"] .mono`)
          if (row) break
          if (performance.now() - start > 10_000) throw new Error(`step ${target} never rendered`)
        }
        times.push(performance.now() - start)
      }
      return times.sort((a, b) => a - b)
    }, header.summary.steps)

    const wheel = await page.evaluate(async () => {
      const g = globalThis as unknown as PageGlobals
      const scroller = g.document.querySelector('[data-testid=steps-scroller]')!
      scroller.scrollTop = 0
      await new Promise<void>((r) => g.requestAnimationFrame(r))
      const times: number[] = []
      for (let i = 1; i <= 120; i++) {
        const start = performance.now()
        scroller.scrollTop = i * 20 * 26
        for (;;) {
          await new Promise<void>((r) => g.requestAnimationFrame(r))
          if (scroller.querySelector(`[data-step="${i * 20 + 2}"]`)) break
          if (performance.now() - start > 10_000) throw new Error(`row ${i * 20 + 2} never appeared`)
        }
        times.push(performance.now() - start)
      }
      return times.sort((a, b) => a - b)
    })
    const zooms = await zoomFrames(page)

    const figures = {
      workload: { events: header.summary.events, steps: header.summary.steps, run_and_save_s: Math.round(runSeconds * 10) / 10, viewport: '1400x900' },
      ui_open_1m_events_ms: Math.round(coldMs),
      ui_open_goal_ms: 1000,
      ui_reopen_1m_events_ms: Math.round(warmMs),
      ui_scroll_frame_ms: { max: Math.round(frames.at(-1)!), median: Math.round(frames[10]!) },
      ui_scroll_wheel_frame_ms: { max: Math.round(wheel.at(-1)!), median: Math.round(wheel[60]!) },
      ui_zoom_frame_ms: { max: Math.round(zooms.at(-1)!), median: Math.round(zooms[Math.floor(zooms.length / 2)]!) },
      machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', chromium: browser.version() },
    }
    process.stdout.write(JSON.stringify(figures, null, 2) + '\n')
  } finally {
    await browser.close()
    await bridge.close()
    service.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
