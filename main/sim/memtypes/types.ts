/**
 * One module per dev_pagemap type (plus system RAM) behind this interface, so "what does
 * device-private do on free" is answered in one file. The map is the kernel's own switch on
 * pgmap->type in free_zone_device_folio() (mm/memremap.c); the other roles come from
 * __init_zone_device_page() (mm/mm_init.c), pagemap_range() (mm/memremap.c), memory_failure_dev_pagemap()
 * (mm/memory-failure.c) and the GUP checks in mm/gup.c. Pure: no Node, DOM or Electron.
 */
import type { RegionType } from '../../formats/profile'
import type { CauseId } from '../causes'
import type { Folio, FolioTable } from '../folios'
import type { KernelModel } from '../kernel-model'
import type { PgmapType } from '../memory'

/** How memory_failure() ends for a pfn of this type (mm/memory-failure.c memory_failure_dev_pagemap). */
export type MemoryFailurePath =
  /** pmem's ->memory_failure (holder notify) or mf_generic_kill_procs() on a DAX mapping. */
  | 'dax'
  /** mf_generic_kill_procs(): dax_lock_folio() returns 0 for a folio with no DAX mapping -> -EBUSY. */
  | 'ebusy'
  /** Not ZONE_DEVICE: the lab models only ZONE_DEVICE failures (-ENXIO). */
  | 'not-zone-device'

export interface MemoryType {
  /** The profile's region type this module serves. */
  readonly region: RegionType
  /** pgmap->type, or undefined for system RAM (no dev_pagemap). */
  readonly pgmapType: PgmapType | undefined
  /**
   * pagemap_range(): every type but PRIVATE/COHERENT takes one pgmap reference per folio at
   * memremap time (percpu_ref_get_many(pfn_len)), and memunmap_pages() drops them again.
   */
  readonly pgmapRefPerFolio: boolean
  /** Pages a driver hands out from a free pool (device-private/coherent pages, the p2pmem gen_pool). */
  readonly pooled: boolean
  /** The refcount of an untouched folio (__init_zone_device_page(), and what free leaves behind). */
  idleRefcount(kernel: KernelModel): number
  /** Does mapping a page of this type take a folio reference and a mapcount (vm_normal_page() finds it)? */
  mappingTakesReference(kernel: KernelModel): boolean
  /**
   * folio_put_refs() of a type that intercepts puts before the count reaches 0 (legacy FS DAX's
   * put_devmap_managed_folio_refs()). Returns true when it handled the put.
   */
  interceptPut?(table: FolioTable, f: Folio, refs: number, cause: CauseId): boolean
  /** This type's case of free_zone_device_folio(), after the common part (uncharge, checks). */
  free(table: FolioTable, f: Folio): void
  readonly memoryFailure: MemoryFailurePath
  /** folio_is_longterm_pinnable() for a folio of this type (mm.h), given the kernel. */
  longtermPinnable(kernel: KernelModel): boolean
  /** try_grab_folio(): a page of this type needs FOLL_PCI_P2PDMA, otherwise -EREMOTEIO. */
  readonly needsPciP2pdmaFlag: boolean
  /** migrate_vma_*(): can anonymous memory be migrated to pages of this type (a driver's device memory)? */
  readonly migrationTarget: boolean
}
