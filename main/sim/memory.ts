/**
 * Physical memory: regions from the profile laid out at page frame numbers, their dev_pagemaps, and the
 * rule that says where a folio starts. State is sparse: nothing here grows with region size.
 */
import type { Region } from '../formats/profile'
import { cause, type CauseId } from './causes'
import type { KernelModel } from './kernel-model'

export type PgmapType = 'FS_DAX' | 'GENERIC' | 'PRIVATE' | 'COHERENT' | 'PCI_P2PDMA'

export const PGMAP_TYPE_OF: Readonly<Record<Region['type'], PgmapType | undefined>> = {
  fsdax: 'FS_DAX',
  devdax: 'GENERIC',
  'device-private': 'PRIVATE',
  'device-coherent': 'COHERENT',
  p2pdma: 'PCI_P2PDMA',
  'system-ram': undefined,
}

export interface Pgmap {
  readonly name: string
  readonly type: PgmapType
  /** percpu_ref count of pgmap->ref. */
  refs: number
  readonly vmemmapShift: number
  /** ` [name]`, the suffix of every pgmap-ref event's cause (interned once per pgmap). */
  readonly causeSuffix: CauseId
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

  constructor(
    readonly def: Region,
    readonly basePfn: number,
    readonly nrPages: number,
    pageSize: number,
  ) {
    this.name = def.name
    const type = PGMAP_TYPE_OF[def.type]
    // drivers/dax/device.c (Joao Martins, compound devmaps): vmemmap_shift = order_base_2(align >> PAGE_SHIFT)
    // when align > PAGE_SIZE; FS DAX (pmem fsdax) and the others use 0.
    this.staticOrder = def.type === 'devdax' ? Math.log2(alignBytes(def.align) / pageSize) : 0
    this.staticPages = 2 ** this.staticOrder
    if (type) {
      // mm/memremap.c pagemap_range(): percpu_ref_init gives one base ref; every type but
      // PRIVATE/COHERENT takes one more per folio (pfn_len >> vmemmap_shift).
      const perFolio = type === 'PRIVATE' || type === 'COHERENT' ? 0 : nrPages / 2 ** this.staticOrder
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
    if (this.staticOrder > 0) {
      const offset = pfn - this.basePfn
      return pfn - (offset % this.staticPages)
    }
    if (this.dynamicHeads.size > 0 && dynamicOrder > 0) {
      const size = 2 ** dynamicOrder
      const head = pfn - (pfn % size)
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
    switch (this.pgmap?.type) {
      case 'FS_DAX':
        return kernel.fsdaxIdleRefcount // 1 before 6.15; 0 from 6.15 and in the 2022 proposal's 23/25
      case 'GENERIC':
        return 1 // unchanged by the series: device-dax pages keep their init reference
      case 'PCI_P2PDMA':
        return kernel.on('p2pdma-refcount-init') ? 0 : 1 // "mm/mm_init: Move p2pdma page refcount initialisation to p2pdma"
      case 'PRIVATE':
      case 'COHERENT':
        return 0 // free, owned by the driver until zone_device_page_init()
      case undefined:
        return 0
    }
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
