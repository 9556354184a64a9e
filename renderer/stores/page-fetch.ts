/**
 * Fetching the pages of a long list that a virtual list has scrolled to: which pages rows
 * [first, last] fall in, minus those loaded or on their way, each loaded once. Shared by the step
 * and event lists' stores; the store decides where a page goes and whether it is still wanted.
 */
export interface PageFetch {
  readonly first: number
  readonly last: number
  readonly pageSize: number
  /** Rows in the list; pages past the end are not asked for. */
  readonly total: number
  readonly has: (page: number) => boolean
  /** Pages asked for and not answered yet (shared between calls, so a page is fetched once). */
  readonly pending: Set<number>
  readonly load: (page: number) => Promise<void>
}

export async function fetchMissingPages(f: PageFetch): Promise<void> {
  const wanted: number[] = []
  for (let p = Math.floor(Math.max(0, f.first) / f.pageSize); p <= Math.floor(Math.max(0, f.last) / f.pageSize); p++) {
    if (p * f.pageSize >= f.total) break
    if (!f.has(p) && !f.pending.has(p)) wanted.push(p)
  }
  await Promise.all(
    wanted.map(async (p) => {
      f.pending.add(p)
      try {
        await f.load(p)
      } finally {
        f.pending.delete(p)
      }
    }),
  )
}
