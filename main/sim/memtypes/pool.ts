/**
 * A driver's free pool of device pages, first fit over free ranges (sorted, merged). It stands for
 * test_hmm's free-page list (dmirror_devmem_alloc_page) and p2pdma's gen_pool
 * (gen_pool_alloc_owner()/gen_pool_free_owner(), drivers/pci/p2pdma.c): which page a driver hands out
 * does not change any count the lab shows, so one deterministic allocator serves both. Sparse: its
 * size follows the number of holes, not the region size.
 */
export class PagePool {
  /** Free ranges [start, end) of pfns, sorted and disjoint. */
  private readonly free: Array<[number, number]>

  constructor(basePfn: number, nrPages: number) {
    this.free = nrPages > 0 ? [[basePfn, basePfn + nrPages]] : []
  }

  /** The first pfn of `pages` contiguous free pages (taken), or undefined when no run is long enough. */
  allocate(pages: number): number | undefined {
    for (let i = 0; i < this.free.length; i++) {
      const range = this.free[i]!
      if (range[1] - range[0] < pages) continue
      const pfn = range[0]
      range[0] += pages
      if (range[0] === range[1]) this.free.splice(i, 1)
      return pfn
    }
    return undefined
  }

  /** Gives pages [pfn, pfn + pages) back, merging with neighbours. */
  release(pfn: number, pages: number): void {
    const end = pfn + pages
    let i = 0
    while (i < this.free.length && this.free[i]![0] < pfn) i++
    const prev = this.free[i - 1]
    const next = this.free[i]
    if (prev && prev[1] > pfn) return // already free (a double free the caller reports)
    if (prev && prev[1] === pfn) {
      prev[1] = end
      if (next && next[0] === end) {
        prev[1] = next[1]
        this.free.splice(i, 1)
      }
      return
    }
    if (next && next[0] === end) next[0] = pfn
    else this.free.splice(i, 0, [pfn, end])
  }

  isFree(pfn: number): boolean {
    return this.free.some(([s, e]) => pfn >= s && pfn < e)
  }
}
