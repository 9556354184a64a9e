/**
 * MEMORY_DEVICE_COHERENT (f25cbb7a95a2 "mm: add zone device coherent type memory support", 6.0):
 * device memory the CPU reaches coherently (AMD MI200-class). Migrated anonymous pages are mapped by
 * present, normal anon PTEs, so GUP can take them; they are not longterm pinnable
 * (folio_is_longterm_pinnable(): folio_is_device_coherent() -> false), so FOLL_LONGTERM migrates them to
 * system RAM first (check_and_migrate_movable_pages() -> migrate_device_coherent_folio(), mm/gup.c).
 * A CPU access never faults them back: they move to RAM only by explicit migration.
 */
import { devicePrivate } from './device-private'
import type { MemoryType } from './types'

/**
 * The same roles as device-private (free_zone_device_folio()'s PRIVATE/COHERENT case: page_free +
 * put_dev_pagemap; no per-folio pgmap references; mf -> -EBUSY; not longterm pinnable); what differs
 * is how the pages are mapped (present PTEs, ops/migrate.ts) and that GUP may take them.
 */
export const deviceCoherent: MemoryType = {
  ...devicePrivate,
  region: 'device-coherent',
  pgmapType: 'COHERENT',
}
