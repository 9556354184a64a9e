/**
 * munmap() as atomic steps (mm/vma.c do_vmi_munmap -> vms_complete_munmap_vmas -> unmap_region,
 * mm/memory.c zap_pte_range, mm/mmu_gather.c; 6.14-6.17):
 *   1. mmap_write_lock (mm/mmap.c __vm_munmap);
 *   2. zap_pte_range() under the PTL: clear every entry; a refcounted DAX folio loses its rmap
 *      (folio_remove_rmap_ptes) and is queued in the mmu_gather batch (__tlb_remove_folio_pages) —
 *      its reference is still held. free_pgtables() then takes the VMA out of i_mmap (mm/vma.c
 *      unmap_region / vms_clear_ptes), in the same step here;
 *   3. tlb_flush_mmu_tlbonly(): the TLB flush;
 *   4. tlb_flush_mmu_free() -> free_pages_and_swap_cache() -> folios_put_refs(): the batched
 *      references drop (a folio reaching 0 is freed here, wake_up_var for waiters);
 *   5. the VMA's file reference goes (fput; the last one evicts an unlinked inode) and mmap_write_unlock.
 * Dirty shared file folios also delay the rmap removal to after the flush (tlb_delay_rmap); the lab
 * removes the rmap at the clear, so a busy scan in between sees refcount - mapcount = 1 either way.
 */
import type { StepArgs } from '../../formats/scenario'
import { cause } from '../../sim/causes'
import { dropFileRef } from '../../sim/ops/layout'
import { OK } from '../../sim/ops/outcome'
import type { Vma } from '../../sim/mm'
import { unlinkVma } from '../../sim/i-mmap'
import { continueWith, done, type Atomic, type OpContext } from '../atomic'
import { mmapLock } from '../locks'
import { flushCanComplete } from '../tlb-fence'
import { continueAfter } from './wait'

const C = { unmapRegion: cause('munmap: unmap_region') }

export function munmapSteps(ctx: OpContext, args: StepArgs<'munmap'>): Atomic {
  const name = ctx.task.name
  return {
    label: 'munmap: mmap_write_lock, zap_pte_range: clear entries',
    source: 'mm/mmap.c __vm_munmap: mmap_write_lock_killable (6.14-6.17)',
    key: `munmap-lock:${args.map}`,
    takes: [mmapLock(name, 'write')],
    // Taking the lock and clearing the entries are one step (nothing observable happens in between).
    run: (c) => clear(args, c.sim.vma(c.task, args.map)).run(c),
  }
}

function clear(args: StepArgs<'munmap'>, vma: Vma): Atomic {
  return {
    label: 'zap_pte_range: clear entries',
    source: 'mm/memory.c zap_pte_range -> zap_present_ptes: folio_remove_rmap_ptes, __tlb_remove_folio_pages (6.14-6.17)',
    key: `munmap-clear:${args.map}`,
    run: ({ sim, task }) => {
      const batch: number[] = []
      sim.zapRange(vma, vma.start, vma.end, C.unmapRegion, false, batch)
      // free_pgtables() -> unlink_file_vma_batch_add() (step 2 above): from here !mapping_mapped(),
      // while the file reference goes only in step 5 (remove_vma -> fput).
      unlinkVma(task, vma)
      return continueWith(flush(args, vma, batch))
    },
  }
}

function flush(args: StepArgs<'munmap'>, vma: Vma, batch: number[]): Atomic {
  return {
    label: 'tlb_flush_mmu: TLB flush',
    source: 'mm/mmu_gather.c tlb_flush_mmu -> tlb_flush_mmu_tlbonly (6.14-6.17)',
    key: `munmap-flush:${args.map}:${batch.join('+')}`,
    until: flushCanComplete,
    run: () => continueWith(putBatch(args, vma, batch)),
  }
}

function putBatch(args: StepArgs<'munmap'>, vma: Vma, batch: number[]): Atomic {
  return {
    label: 'tlb_flush_mmu_free: put batched folios',
    source: 'mm/mmu_gather.c tlb_flush_mmu_free -> tlb_batch_pages_flush -> free_pages_and_swap_cache (6.14-6.17)',
    key: `munmap-put:${args.map}:${batch.join('+')}`,
    run: ({ sim, locks, task }) => {
      for (const folio of batch) sim.putBatched(folio, C.unmapRegion)
      if (!vma.file) {
        locks.release(task.name, mmapLock(task.name, 'write').name)
        return done(OK)
      }
      const outcome = dropFileRef(sim, vma.file)
      locks.release(task.name, mmapLock(task.name, 'write').name)
      return continueAfter(sim, outcome, `munmap-evict:${args.map}`)
    },
  }
}
