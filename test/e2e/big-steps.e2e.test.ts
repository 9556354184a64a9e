/**
 * A step list past the scaled-scroll threshold (160,002 steps, 4.16M px at 26 px a row) in Chromium:
 * the scroll space stays capped, the end of the scrollbar shows the last step with its data, and a
 * jump to a step far down scrolls it into view. (Past ~1.29M rows an unscaled list could not reach its
 * end at all: Chromium caps an element's height near 33.5M px.)
 */
import { describe, expect, it } from 'vitest'
import { TOKEN_HEADER } from '../../main/contract/api'
import { SCALE_FROM_PX } from '../../renderer/components/run/scaled-rows'
import { useStackPage } from './harness'

const STEPS = 160_000 + 2

const { stack, page } = useStackPage({ width: 1400, height: 900 })

function bigSource(): string {
  const steps: unknown[] = [{ create: { file: '/mnt/pmem0/a', length: '1MiB' } }, { mmap: { id: 'm', file: '/mnt/pmem0/a', length: '1MiB' } }]
  for (let i = 0; i < STEPS - 2; i++) steps.push({ probe: { map: 'm', offset: (i % 256) * 4096 } })
  return JSON.stringify({ name: 'big-steps', description: 'a step list past the scaled-scroll threshold', profile: 'x86-pmem-fsdax', steps })
}

describe('a very long step list in Chromium', () => {
  it('scrolls to its last step', async () => {
    const response = await fetch(`${stack.bridge.url}/api/runScenario`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: stack.bridge.token },
      body: JSON.stringify({ scenario: 'big-steps', source: bigSource(), kernel: '6.17' }),
    })
    expect(response.status).toBe(200)
    await page.goto(stack.bridge.pageUrl)
    const row = page.getByTestId('runs-table').locator('tbody tr', { hasText: 'big-steps' })
    await row.waitFor({ timeout: 30_000 })
    await row.click()
    const scroller = page.getByTestId('steps-scroller')
    await expect.poll(() => scroller.locator('[data-step="0"]').innerText(), { timeout: 30_000 }).toContain('create')
    const space = await scroller.evaluate((el) => (el as unknown as { scrollHeight: number }).scrollHeight)
    expect(space).toBeLessThanOrEqual(SCALE_FROM_PX + 2)
    expect(STEPS * 26).toBeGreaterThan(SCALE_FROM_PX)

    await scroller.evaluate((el) => {
      const e = el as unknown as { scrollTop: number; scrollHeight: number }
      e.scrollTop = e.scrollHeight
    })
    const last = scroller.locator(`[data-step="${STEPS - 1}"]`)
    await expect.poll(() => last.innerText(), { timeout: 30_000 }).toMatch(new RegExp(`^${STEPS - 1}\\s+probe`))
    // The last row is inside the scroller's box, not below it.
    const box = await scroller.boundingBox()
    const lastBox = await last.boundingBox()
    expect(lastBox!.y + lastBox!.height).toBeLessThanOrEqual(box!.y + box!.height + 1)

    // Back to the middle: the rows there arrive too.
    await scroller.evaluate((el) => {
      const e = el as unknown as { scrollTop: number; scrollHeight: number }
      e.scrollTop = e.scrollHeight / 2
    })
    await expect.poll(async () => (await scroller.locator('[data-step]').first().getAttribute('data-step')) ?? '0', { timeout: 30_000 }).not.toBe('0')
    const middle = Number(await scroller.locator('[data-step]').nth(14).getAttribute('data-step'))
    expect(Math.abs(middle - STEPS / 2)).toBeLessThan(200)
    await expect.poll(() => scroller.locator(`[data-step="${middle}"]`).innerText(), { timeout: 30_000 }).toMatch(/probe/)
    expect(stack.problems).toEqual([])
  }, 180_000)
})
