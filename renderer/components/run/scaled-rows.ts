/**
 * Lists taller than a browser lets an element be. Chromium caps an element's height near 33.5M px, so
 * at 26 px a row a list of more than ~1.29M rows could not scroll to its end. Past SCALE_FROM_PX the
 * scroll space stays SCALE_FROM_PX tall and the scroll position maps linearly onto the rows: the top
 * of the scrollbar is row 0, its bottom the last row, and the rows in view are drawn at their offset
 * from the mapped position. Pure arithmetic, so it is unit-tested without a DOM.
 */

/**
 * Scroll space above which rows are scaled (153,846 rows of 26 px): well below every engine's cap
 * (Firefox's is ~17.9M px), and low enough that a run the scenario limit allows (250,000 steps)
 * already uses it, so the path is exercised by real runs, not only by imported traces.
 */
export const SCALE_FROM_PX = 4_000_000

export interface ScaledWindow {
  /** The rows to draw, each with its top inside the scroll space. */
  readonly rows: readonly { readonly index: number; readonly start: number }[]
}

export interface ScaledGeometry {
  readonly count: number
  readonly rowHeight: number
  /** The scroller's visible height. */
  readonly viewport: number
  /** The spacer's height (SCALE_FROM_PX when scaled). */
  readonly space: number
}

/** Where the rows' own top is (in the unscaled list) when the scroller is at `scrollTop`. */
function virtualTop(g: ScaledGeometry, scrollTop: number): number {
  const maxScroll = Math.max(1, g.space - g.viewport)
  const maxVirtual = Math.max(0, g.count * g.rowHeight - g.viewport)
  return (Math.min(Math.max(0, scrollTop), maxScroll) / maxScroll) * maxVirtual
}

export function scaledWindow(g: ScaledGeometry, scrollTop: number, overscan: number): ScaledWindow {
  if (g.count === 0) return { rows: [] }
  const top = virtualTop(g, scrollTop)
  const first = Math.max(0, Math.floor(top / g.rowHeight) - overscan)
  const last = Math.min(g.count - 1, Math.ceil((top + g.viewport) / g.rowHeight) + overscan)
  const clamped = Math.min(Math.max(0, scrollTop), Math.max(0, g.space - g.viewport))
  const rows = []
  for (let index = first; index <= last; index++) rows.push({ index, start: clamped + index * g.rowHeight - top })
  return { rows }
}

/** The scrollTop that shows row `index` (at the top, or centred). */
export function scaledOffsetOf(g: ScaledGeometry, index: number, align: 'start' | 'center'): number {
  const maxScroll = Math.max(0, g.space - g.viewport)
  const maxVirtual = Math.max(1, g.count * g.rowHeight - g.viewport)
  const wanted = index * g.rowHeight - (align === 'center' ? (g.viewport - g.rowHeight) / 2 : 0)
  return (Math.min(Math.max(0, wanted), maxVirtual) / maxVirtual) * maxScroll
}
