/**
 * MEMORY_DEVICE_PCI_P2PDMA: a PCI BAR published as p2pmem (drivers/pci/p2pdma.c). User space maps it
 * with p2pmem_alloc_mmap(): shared only, offset 0, every page allocated from the gen_pool and inserted
 * at mmap time with vm_insert_page() (a normal, refcounted PTE). GUP needs FOLL_PCI_P2PDMA
 * (try_grab_folio(): -EREMOTEIO without it). The series moved the init refcount out of
 * __init_zone_device_page() ("mm/mm_init: Move p2pdma page refcount initialisation to p2pdma", 6.15).
 */
import type { Folio, FolioTable } from '../folios'
import type { KernelModel } from '../kernel-model'
import { FREE_CAUSES } from './shared'
import type { MemoryType } from './types'

export const p2pdma: MemoryType = {
  region: 'p2pdma',
  pgmapType: 'PCI_P2PDMA',
  pgmapRefPerFolio: true,
  pooled: true,
  // 6.14: __init_zone_device_page() left rc 1 (and free reset it to 1); 6.15: 0, and
  // p2pmem_alloc_mmap() does set_page_count(page, 1) before vm_insert_page().
  idleRefcount: (kernel: KernelModel) => (kernel.on('p2pdma-refcount-init') ? 0 : 1),
  mappingTakesReference: () => true,
  /**
   * free_zone_device_folio(): ops->page_free = p2pdma_page_free() (gen_pool_free_owner() and
   * percpu_ref_put() on the pgmap); 6.14 then reset the count to 1 ("type not PRIVATE/COHERENT ->
   * folio_set_count(1)"), 6.15+ leaves it at 0.
   */
  free(table: FolioTable, f: Folio): void {
    if (!table.kernelOn('p2pdma-refcount-init')) table.ref(f, 1, FREE_CAUSES.setCount)
    const region = table.region(f)
    region.pool?.release(table.head[f]!, 1)
    if (region.pgmap) table.pgmapRef(region.pgmap, -1, FREE_CAUSES.p2pdmaFree)
  },
  memoryFailure: 'ebusy',
  longtermPinnable: () => true,
  needsPciP2pdmaFlag: true,
  migrationTarget: false,
}
