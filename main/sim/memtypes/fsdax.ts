/**
 * MEMORY_DEVICE_FS_DAX: pmem namespaces in fsdax mode (and the virtiofs DAX window). The one type the
 * series "fs/dax: Fix ZONE_DEVICE page reference counts" (6.15) changed most: idle at 1 and mapped
 * without references before, idle at 0 and refcounted like file pages after.
 */
import { cause, derive, type CauseId } from '../causes'
import { hex, type Folio, type FolioTable } from '../folios'
import type { KernelModel } from '../kernel-model'
import { FREE_CAUSES } from './shared'
import type { MemoryType } from './types'

const C = {
  putDevmapSuffix: cause(' (put_devmap_managed_folio_refs)'),
  putDevmapWake: cause('put_devmap_managed_folio_refs: wake_up_var(&folio->_refcount) at 1'),
  proposalFree: cause('free_zone_device_page: wake_up_var(page), put_dev_pagemap (2022 proposal, v3 23/25)'),
}

export const fsdax: MemoryType = {
  region: 'fsdax',
  pgmapType: 'FS_DAX',
  pgmapRefPerFolio: true,
  pooled: false,
  // __init_zone_device_page() (mm/mm_init.c): 6.14 left FS_DAX pages at 1; 6.15 sets 0
  // ("fs/dax: Properly refcount fs dax pages", 38607c62b34b), as does the 2022 proposal's v3 23/25
  // (KernelModel.fsdaxIdleRefcount).
  idleRefcount: (kernel: KernelModel) => kernel.fsdaxIdleRefcount,
  mappingTakesReference: (kernel: KernelModel) => kernel.on('fsdax-refcount'),
  /**
   * <= 6.14: put_page() -> put_devmap_managed_folio_refs() (mm/memremap.c
   * __put_devmap_managed_folio_refs): the count drops and 2 -> 1 wakes waiters on &page->_refcount;
   * nothing is freed. 6.15 removed the hook.
   */
  interceptPut(table: FolioTable, f: Folio, refs: number, cause: CauseId): boolean {
    if (table.kernel.fsdaxIdleRefcount !== 1) return false
    table.ref(f, -refs, derive(cause, C.putDevmapSuffix))
    const head = table.head[f]!
    if (table.refcount[f]! === 1) table.wake(head, C.putDevmapWake)
    else if (table.refcount[f]! === 0) table.violation('refcount_underflow', `legacy FS DAX page ${hex(head)} dropped its idle reference (idle is 1 before 6.15)`, head)
    return true
  },
  free(table: FolioTable, f: Folio): void {
    if (table.kernel.pgmapRequest === 'put-at-free') {
      // 2022 proposal v3 23/25 free_zone_device_page(): wake the break-layouts waiters, then drop the
      // pgmap reference pgmap_request_folios() took (unconditionally: one per free).
      table.wake(table.head[f]!, C.proposalFree)
      const pgmap = table.region(f).pgmap
      if (pgmap) table.pgmapRef(pgmap, -1, C.proposalFree)
      return
    }
    // 6.15+ free_zone_device_folio(): wake_up_var(&folio->page); the count stays 0 and folio->mapping is kept.
    table.wake(table.head[f]!, FREE_CAUSES.freeWake)
  },
  memoryFailure: 'dax',
  // folio_is_longterm_pinnable(): false for folio_is_fsdax() from "mm/gup: Don't allow FOLL_LONGTERM
  // pinning of FS DAX pages" (6.15); before, check_vma_flags() refused the VMA (vma_is_fsdax).
  longtermPinnable: () => false,
  needsPciP2pdmaFlag: false,
  migrationTarget: false,
}
