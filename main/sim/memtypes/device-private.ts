/**
 * MEMORY_DEVICE_PRIVATE (HMM): device memory the CPU cannot reach. Pages are free (refcount 0) until
 * a driver allocates one with zone_device_page_init() (pgmap reference, refcount 1, locked), and are
 * mapped only through non-present device-private swap entries that migrate_vma_*() installs
 * (mm/migrate_device.c). A CPU fault on such an entry calls pgmap->ops->migrate_to_ram(); the free
 * path is page_free (folio_free in later kernels) plus put_dev_pagemap. Unchanged by the series.
 */
import type { Folio, FolioTable } from '../folios'
import { FREE_CAUSES } from './shared'
import type { MemoryType } from './types'

export const devicePrivate: MemoryType = {
  region: 'device-private',
  pgmapType: 'PRIVATE',
  // pagemap_range(): no per-folio pgmap references for PRIVATE/COHERENT; zone_device_page_init() takes them.
  pgmapRefPerFolio: false,
  pooled: true,
  idleRefcount: () => 0,
  // remove_migration_ptes() / migrate_vma_insert_page(): folio_get + anon rmap for the swap entry.
  mappingTakesReference: () => true,
  // free_zone_device_folio(): pgmap->ops->page_free(page) (the driver takes the page back) and
  // put_dev_pagemap(pgmap) (mm/memremap.c, 6.1 through 6.17).
  free(table: FolioTable, f: Folio): void {
    freeToDriver(table, f)
  },
  // mf_generic_kill_procs(): dax_lock_folio() fails first (no DAX mapping) -> -EBUSY.
  memoryFailure: 'ebusy',
  // Never pinned in place: GUP faults a device-private entry back to RAM (do_swap_page -> migrate_to_ram).
  longtermPinnable: () => false,
  needsPciP2pdmaFlag: false,
  migrationTarget: true,
}

/** page_free: the page goes back to the driver's free pool; then put_dev_pagemap(). */
export function freeToDriver(table: FolioTable, f: Folio): void {
  const region = table.region(f)
  region.pool?.release(table.head[f]!, 1)
  if (region.pgmap) table.pgmapRef(region.pgmap, -1, FREE_CAUSES.putDevPagemap)
}
