/**
 * MEMORY_DEVICE_GENERIC: device-dax instances (/dev/daxX.Y: pmem devdax mode, hmem, CXL). Compound
 * folios of the device's align; idle at 1 in every release, so free is in practice never reached.
 */
import type { Folio, FolioTable } from '../folios'
import type { KernelModel } from '../kernel-model'
import { FREE_CAUSES } from './shared'
import type { MemoryType } from './types'

export const devdax: MemoryType = {
  region: 'devdax',
  pgmapType: 'GENERIC',
  pgmapRefPerFolio: true,
  pooled: false,
  // __init_zone_device_page(): GENERIC keeps the init reference (unchanged by the series).
  idleRefcount: () => 1,
  // "device/dax: Properly refcount device dax pages when mapping" (6.15): vmf_insert_page_mkwrite /
  // vmf_insert_folio_pmd / _pud take a reference and a mapcount; before, devmap entries took none.
  mappingTakesReference: (kernel: KernelModel) => kernel.on('devdax-refcount'),
  // free_zone_device_folio(): "Reset the refcount to 1 to prepare for handing out the page again."
  free(table: FolioTable, f: Folio): void {
    table.ref(f, 1, FREE_CAUSES.setCount)
  },
  memoryFailure: 'dax',
  // folio_is_longterm_pinnable(): ZONE_DEVICE is not ZONE_MOVABLE and GENERIC is neither coherent nor fsdax.
  longtermPinnable: () => true,
  needsPciP2pdmaFlag: false,
  migrationTarget: false,
}
