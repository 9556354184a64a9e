/**
 * System RAM: no dev_pagemap. It is where anonymous memory lives and where device memory migrates
 * back to; the lab does not keep folio records for RAM pages (their counts are not what it studies),
 * so nothing here is ever freed through free_zone_device_folio().
 */
import type { MemoryType } from './types'

export const systemRam: MemoryType = {
  region: 'system-ram',
  pgmapType: undefined,
  pgmapRefPerFolio: false,
  pooled: false,
  idleRefcount: () => 0,
  mappingTakesReference: () => true,
  free(): void {
    // Not reached: RAM pages have no records (free_zone_device_folio() is for ZONE_DEVICE only).
  },
  memoryFailure: 'not-zone-device',
  longtermPinnable: () => true,
  needsPciP2pdmaFlag: false,
  migrationTarget: false,
}
