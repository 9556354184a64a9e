/**
 * A DAX filesystem on an fsdax region: files laid out as extents of pmem blocks, and each file's
 * page-cache XArray of DAX entries (fs/dax.c: value entries holding pfn << DAX_SHIFT | flags; they hold
 * no page reference in either scheme).
 */
import type { WorkMeter } from './budget'
import type { RegionState } from './memory'
import { IMmap } from './i-mmap'

export interface Extent {
  /** First file page index, first pfn, and length in pages. */
  readonly index: number
  readonly pfn: number
  readonly count: number
}

/** A DAX XArray entry: PTE-sized (order 0) or PMD-sized, a block mapping or the (huge) zero page. */
export interface DaxEntry {
  /** First file index the entry covers (PMD entries are aligned to PMD_NR). */
  readonly index: number
  readonly order: number
  /** Backing pfn of the first page, or undefined for a zero-page entry. */
  readonly pfn: number | undefined
}

/** First-fit allocator of pmem blocks with alignment, so files get PMD-aligned extents when possible. */
export class BlockAllocator {
  /** Free runs [pfn, count], sorted and merged. */
  private free: Array<[number, number]>
  /** Pages in `free`, kept up to date so a request that cannot fit fails at once. */
  private freeCount: number

  constructor(basePfn: number, nrPages: number) {
    this.free = nrPages > 0 ? [[basePfn, nrPages]] : []
    this.freeCount = Math.max(0, nrPages)
  }

  /** Free runs a first-fit search walks (the work one allocate() can cost). */
  get fragments(): number {
    return this.free.length
  }

  allocate(count: number, align: number): number | undefined {
    for (let i = 0; i < this.free.length; i++) {
      const [start, len] = this.free[i]!
      const aligned = Math.ceil(start / align) * align
      if (aligned + count > start + len) continue
      const pieces: Array<[number, number]> = []
      if (aligned > start) pieces.push([start, aligned - start])
      if (aligned + count < start + len) pieces.push([aligned + count, start + len - aligned - count])
      this.free.splice(i, 1, ...pieces)
      this.freeCount -= count
      return aligned
    }
    return undefined
  }

  release(pfn: number, count: number): void {
    this.freeCount += count
    this.free.push([pfn, count])
    this.free.sort((a, b) => a[0] - b[0])
    const merged: Array<[number, number]> = []
    for (const run of this.free) {
      const last = merged[merged.length - 1]
      if (last && last[0] + last[1] === run[0]) last[1] += run[1]
      else merged.push([run[0], run[1]])
    }
    this.free = merged
  }

  freePages(): number {
    return this.freeCount
  }
}

/** A file's DAX entries by first index; remembers the largest order stored, for entriesIn(). */
export class DaxEntries extends Map<number, DaxEntry> {
  maxOrder = 0

  override set(index: number, entry: DaxEntry): this {
    if (entry.order > this.maxOrder) this.maxOrder = entry.order
    return super.set(index, entry)
  }
}

export class DaxFile {
  size = 0
  /** Sorted by file index, non-overlapping. */
  extents: Extent[] = []
  readonly entries = new DaxEntries()
  /**
   * File references held by VMAs (vm_file; dropped by remove_vma's fput, the last one evicts an
   * unlinked inode). Whether the file is mapped at all, mapping_mapped(), is iMmap.mapped: an explored
   * munmap unlinks the VMA from i_mmap steps before it drops the reference.
   */
  mappings = 0
  /** Its VMAs in every task, in the order unmap_mapping_range walks them (i-mmap.ts). */
  readonly iMmap = new IMmap()
  unlinked = false
  evicted = false

  constructor(
    readonly path: string,
    readonly fs: DaxFs,
  ) {}

  blockAt(index: number): number | undefined {
    const ext = this.extentAt(index)
    return ext ? ext.pfn + (index - ext.index) : undefined
  }

  extentAt(index: number): Extent | undefined {
    let lo = 0
    let hi = this.extents.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const e = this.extents[mid]!
      if (index < e.index) hi = mid - 1
      else if (index >= e.index + e.count) lo = mid + 1
      else return e
    }
    return undefined
  }

  /** Number of contiguous allocated pages starting at index (0 for a hole). */
  contiguousFrom(index: number): number {
    const ext = this.extentAt(index)
    return ext ? ext.index + ext.count - index : 0
  }

  /** First file index at or after `index` that has a block (`end` when none before it): where a hole ends. */
  holeEnd(index: number, end: number): number {
    let lo = 0
    let hi = this.extents.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.extents[mid]!.index + this.extents[mid]!.count <= index) lo = mid + 1
      else hi = mid
    }
    const next = this.extents[lo]
    return next === undefined ? end : Math.min(end, Math.max(index, next.index))
  }

  /** Pages of [from, to) that have blocks (one pass over the extents). */
  allocatedIn(from: number, to: number): number {
    let n = 0
    for (const e of this.extents) n += Math.max(0, Math.min(e.index + e.count, to) - Math.max(e.index, from))
    return n
  }

  addExtent(ext: Extent): void {
    this.extents.push(ext)
    this.extents.sort((a, b) => a.index - b.index)
  }

  /** Removes the blocks of file pages [from, to) and returns the pfn runs that were released. */
  removeBlocks(from: number, to: number): Extent[] {
    const released: Extent[] = []
    const kept: Extent[] = []
    for (const e of this.extents) {
      const s = Math.max(e.index, from)
      const t = Math.min(e.index + e.count, to)
      if (s >= t) {
        kept.push(e)
        continue
      }
      released.push({ index: s, pfn: e.pfn + (s - e.index), count: t - s })
      if (e.index < s) kept.push({ index: e.index, pfn: e.pfn, count: s - e.index })
      if (t < e.index + e.count) kept.push({ index: t, pfn: e.pfn + (t - e.index), count: e.index + e.count - t })
    }
    this.extents = kept.sort((a, b) => a.index - b.index)
    return released
  }

  /** The DAX entry covering index: a PTE entry at index or a PMD entry at its aligned start. */
  entryAt(index: number, pmdPages: number): DaxEntry | undefined {
    const own = this.entries.get(index)
    if (own) return own
    // No entry larger than a page was ever stored: no PMD entry can cover index (a miss costs a lookup).
    if (this.entries.maxOrder === 0) return undefined
    const pmd = this.entries.get(index - (index % pmdPages))
    return pmd && pmd.order > 0 ? pmd : undefined
  }

  /**
   * Entries overlapping file pages [from, to), in index order. A short range probes its indices (and
   * the aligned starts below `from` where a larger entry could begin: entries are aligned to their
   * order); a long one scans the entries. Either way the cost is the smaller of the two.
   */
  entriesIn(from: number, to: number): DaxEntry[] {
    const entries = this.entries
    if (to - from > entries.size + entries.maxOrder) {
      return [...entries.values()].filter((e) => e.index < to && e.index + 2 ** e.order > from).sort((a, b) => a.index - b.index)
    }
    const out: DaxEntry[] = []
    let last = -1
    for (let order = entries.maxOrder; order > 0; order--) {
      const start = from - (from % 2 ** order)
      if (start === from || start === last) continue
      const e = entries.get(start)
      if (e && e.index + 2 ** e.order > from) out.push(e)
      last = start
    }
    for (let i = from; i < to; i++) {
      const e = entries.get(i)
      if (e) out.push(e)
    }
    return out
  }
}

export class DaxFs {
  readonly files = new Map<string, DaxFile>()
  readonly allocator: BlockAllocator
  mounted = true

  constructor(
    readonly region: RegionState,
    private readonly work: WorkMeter,
  ) {
    this.allocator = new BlockAllocator(region.basePfn, region.nrPages)
  }

  get mount(): string {
    return this.region.def.type === 'fsdax' ? this.region.def.mount : ''
  }

  get fsType(): 'ext4' | 'xfs' | 'virtiofs' {
    return this.region.def.type === 'fsdax' ? this.region.def.fs : 'ext4'
  }

  /**
   * Allocates count pages for file page index: one run aligned to `align` pages when the request is at
   * least that big (so PMD faults are possible), else smaller runs as free space allows.
   */
  allocate(file: DaxFile, index: number, count: number, align: number): boolean {
    // A request larger than the free space fails before anything is allocated. XFS reserves the blocks
    // in the transaction first (fs/xfs/xfs_iomap.c xfs_iomap_write_direct -> xfs_trans_alloc_inode,
    // -ENOSPC). ext4 allocates per iomap extent (fs/ext4/inode.c ext4_iomap_alloc -> ext4_map_blocks),
    // so a real ext4 write could end short; the lab models the all-or-nothing form for both.
    if (count > this.allocator.freePages()) return false
    let done = 0
    while (done < count) {
      const want = count - done
      const tries: Array<[number, number]> = [[want, want >= align ? align : 1], [Math.min(want, align), 1], [1, 1]]
      let got: [number, number] | undefined
      for (const [size, alignment] of tries) {
        this.work.charge(1 + this.allocator.fragments, `allocating ${count} blocks`)
        const pfn = this.allocator.allocate(size, alignment)
        if (pfn !== undefined) {
          got = [pfn, size]
          break
        }
      }
      if (!got) return false
      file.addExtent({ index: index + done, pfn: got[0], count: got[1] })
      done += got[1]
    }
    return true
  }
}
