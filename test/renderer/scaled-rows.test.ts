/** Lists taller than a browser's element height cap: the scaled scroll space reaches every row. */
import { expect, it } from 'vitest'
import { SCALE_FROM_PX, scaledOffsetOf, scaledWindow } from '../../renderer/components/run/scaled-rows'

const g = { count: 2_000_000, rowHeight: 26, viewport: 380, space: SCALE_FROM_PX }

it('keeps the scroll space under Chromium cap for any row count', () => {
  // 2M rows at 26 px would be 52M px, past the ~33.5M px an element may be.
  expect(g.count * g.rowHeight).toBeGreaterThan(33_554_432)
  expect(SCALE_FROM_PX).toBeLessThan(17_895_697)
})

it('shows row 0 at the top and the last row at the bottom of the scrollbar', () => {
  const top = scaledWindow(g, 0, 0).rows
  expect(top[0]).toEqual({ index: 0, start: 0 })
  const maxScroll = g.space - g.viewport
  const bottom = scaledWindow(g, maxScroll, 0).rows
  const last = bottom.at(-1)!
  expect(last.index).toBe(g.count - 1)
  // The last row's bottom edge sits on the scroller's bottom edge.
  expect(last.start + g.rowHeight).toBeCloseTo(maxScroll + g.viewport, 6)
  // Past the end (a fling) clamps rather than drawing beyond the space.
  expect(scaledWindow(g, maxScroll + 5000, 0).rows.at(-1)!.index).toBe(g.count - 1)
})

it('draws consecutive rows a row apart, covering the viewport, with the overscan around them', () => {
  const at = 3_333_333
  const rows = scaledWindow(g, at, 4).rows
  for (let i = 1; i < rows.length; i++) {
    expect(rows[i]!.index).toBe(rows[i - 1]!.index + 1)
    expect(rows[i]!.start - rows[i - 1]!.start).toBeCloseTo(g.rowHeight, 6)
  }
  const inView = rows.filter((r) => r.start + g.rowHeight > at && r.start < at + g.viewport)
  expect(inView.length).toBeGreaterThanOrEqual(Math.floor(g.viewport / g.rowHeight))
  expect(rows.length - inView.length).toBeLessThanOrEqual(8 + 1)
})

it('scrolls to any row: at the start, or centred', () => {
  for (const index of [0, 1, 777_777, 1_290_000, 1_999_999]) {
    const rows = scaledWindow(g, scaledOffsetOf(g, index, 'start'), 0).rows
    const shown = rows.find((r) => r.index === index)!
    expect(shown).toBeDefined()
    const offset = scaledOffsetOf(g, index, 'center')
    const centred = scaledWindow(g, offset, 0).rows.find((r) => r.index === index)!
    expect(centred.start).toBeGreaterThanOrEqual(offset - 1)
    expect(centred.start + g.rowHeight).toBeLessThanOrEqual(offset + g.viewport + 1)
  }
})

it('draws nothing for an empty list', () => {
  expect(scaledWindow({ ...g, count: 0 }, 0, 4).rows).toEqual([])
})
