/**
 * Long tables summarise: a terminal shows a page, not 364,000 violations. `--limit N` shows N rows per
 * table, `--all` every row; the default is PAGE_ROWS, and a last line says how many were left out.
 */
export const PAGE_ROWS = 50

export interface RowLimit {
  readonly limit?: number
  readonly all?: boolean
}

export function rowsToShow(opts: RowLimit): number {
  return opts.all ? Number.POSITIVE_INFINITY : (opts.limit ?? PAGE_ROWS)
}

export function firstRows<T>(items: readonly T[], opts: RowLimit): { shown: readonly T[]; more: number } {
  const n = rowsToShow(opts)
  return items.length <= n ? { shown: items, more: 0 } : { shown: items.slice(0, n), more: items.length - n }
}

export function moreLine(more: number, what: string): string[] {
  return more > 0 ? [`... ${more} more ${what} (--limit N or --all to show them)`] : []
}
