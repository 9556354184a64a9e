/**
 * Physical memory: regions from the profile laid out at page frame numbers, their dev_pagemaps, and the
 * rule that says where a folio starts. State is sparse: nothing here grows with region size.
 */
import type { Region } from '../formats/profile'
import { cause, type CauseId } from './causes'
import type { KernelModel } from './kernel-model'
import { memoryType, type MemoryType } from './memtypes/index'
import { PagePool } from './memtypes/pool'
import { orderPages } from './folios'
import { IMmap } from './i-mmap'

export type PgmapType = 'FS_DAX' | 'GENERIC' | 'PRIVATE' | 'COHERENT' | 'PCI_P2PDMA'

export interface Pgmap {
  readonly name: string
  readonly type: PgmapType
  /** percpu_ref count of pgmap->ref. */
  refs: number
  readonly vmemmapShift: number
  /** ` [name]`, the suffix of every pgmap-ref event's cause (interned once per pgmap). */
  readonly causeSuffix: CauseId
  /** percpu_ref_kill() was called (memunmap_pages()): reaching 0 completes pgmap->done. */
  dying?: boolean
}

export class RegionState {
  readonly name: string
  readonly pgmap: Pgmap | undefined
  /** Static folio order: device-dax compound pages (vmemmap_shift); 0 for everything else. */
  readonly staticOrder: number
  /** 2^staticOrder: pages per static folio. */
  readonly staticPages: number
  /** Heads of FS DAX folios built on demand by dax_folio_init() (6.15+), head pfn -> order. */
  readonly dynamicHeads = new Map<number, number>()
  /** The memory-type module answering this region's per-type questions (memtypes/). */
  readonly memtype: MemoryType
  /** The driver's free pages (device-private/coherent, p2pmem), when the type hands pages out. */
  readonly pool: PagePool | undefined
  /** False once `unbind` tore the device down (memunmap_pages()). */
  alive = true
  /** Device DAX: the instance's VMAs in the order kill_dev_dax's unmap_mapping_range walks them. */
  readonly iMmap = new IMmap()

  constructor(
    readonly def: Region,
    readonly basePfn: number,
    readonly nrPages: number,
    pageSize: number,
  ) {
    this.name = def.name
    this.memtype = memoryType(def.type)
    this.pool = this.memtype.pooled ? new PagePool(basePfn, nrPages) : undefined
    const type = this.memtype.pgmapType
    // drivers/dax/device.c (Joao Martins, compound devmaps): vmemmap_shift = order_base_2(align >> PAGE_SHIFT)
    // when align > PAGE_SIZE; FS DAX (pmem fsdax) and the others use 0.
    this.staticOrder = def.type === 'devdax' ? Math.log2(alignBytes(def.align) / pageSize) : 0
    this.staticPages = 2 ** this.staticOrder
    if (type) {
      // mm/memremap.c pagemap_range(): percpu_ref_init gives one base ref; every type but
      // PRIVATE/COHERENT takes one more per folio (pfn_len >> vmemmap_shift).
      const perFolio = this.memtype.pgmapRefPerFolio ? nrPages / 2 ** this.staticOrder : 0
      this.pgmap = { name: def.name, type, refs: 1 + perFolio, vmemmapShift: this.staticOrder, causeSuffix: cause(` [${def.name}]`) }
    }
  }

  get type(): Region['type'] {
    return this.def.type
  }

  contains(pfn: number): boolean {
    return pfn >= this.basePfn && pfn < this.basePfn + this.nrPages
  }

  /** Head pfn of the folio holding pfn (a number, so the hot path allocates nothing). */
  folioHead(pfn: number, dynamicOrder: number): number {
    // Rounded down by division, not `pfn - pfn % pages`: pfns are doubles to the optimiser, and `%` on
    // doubles is a call to fmod, the costliest line of folio() on the FS DAX bench. Dividing by a power
    // of two and flooring is exact, so the head is the same.
    if (this.staticOrder > 0) return this.basePfn + Math.floor((pfn - this.basePfn) / this.staticPages) * this.staticPages
    if (this.dynamicHeads.size > 0 && dynamicOrder > 0) {
      const size = orderPages(dynamicOrder)
      const head = Math.floor(pfn / size) * size
      if (this.dynamicHeads.has(head)) return head
    }
    return pfn
  }

  /** Order of the folio whose head is `head` (a value folioHead() returned). */
  folioOrder(head: number): number {
    return this.staticOrder > 0 ? this.staticOrder : (this.dynamicHeads.get(head) ?? 0)
  }

  /** Head pfn and order of the folio holding pfn. */
  folioOf(pfn: number, dynamicOrder: number): { head: number; order: number } {
    const head = this.folioHead(pfn, dynamicOrder)
    return { head, order: this.folioOrder(head) }
  }

  /**
   * The refcount of an untouched folio of this region, from __init_zone_device_page() (mm/mm_init.c) and
   * free_zone_device_folio() (mm/memremap.c) of the release modelled.
   */
  idleRefcount(kernel: KernelModel): number {
    return this.memtype.idleRefcount(kernel)
  }
}

export function alignBytes(align: '4KiB' | '2MiB' | '1GiB'): number {
  return align === '4KiB' ? 4096 : align === '2MiB' ? 2 ** 21 : 2 ** 30
}

/**
 * Places regions at increasing physical addresses from 4 GiB, each aligned to max(1 GiB, PUD size) so
 * huge leaves are possible (memremap_compat_align is smaller; stricter alignment loses nothing here).
 */
export function layoutRegions(regions: readonly Region[], pageSize: number, pudSize: number | undefined): RegionState[] {
  const align = Math.max(2 ** 30, pudSize ?? 0)
  let next = 2 ** 32
  return regions.map((def) => {
    const base = Math.ceil(next / align) * align
    const nrPages = Math.floor(def.size / pageSize)
    next = base + nrPages * pageSize
    return new RegionState(def, base / pageSize, nrPages, pageSize)
  })
}
