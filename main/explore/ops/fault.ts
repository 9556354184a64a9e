/**
 * A CPU access that faults on an FS DAX mapping, as atomic steps (fs/dax.c dax_iomap_pte_fault /
 * dax_iomap_pmd_fault, 6.14-6.17):
 *   1. mmap_read_lock (lock_mm_and_find_vma) and the file's invalidate_lock shared (ext4_dax_huge_fault:
 *      filemap_invalidate_lock_shared; xfs_dax_read_fault: XFS_MMAPLOCK_SHARED);
 *   2. grab_mapping_entry(): lock the DAX entry of the index;
 *   3. iomap_iter + dax_fault_iter: allocate/associate (dax_associate_entry) and insert the leaf
 *      (vmf_insert_page_mkwrite / vmf_insert_folio_pmd 6.15+, vmf_insert_mixed / vmf_insert_pfn_pmd
 *      before) — the engine's own fault handler;
 *   4. dax_unlock_entry(), then the invalidate_lock and the mmap lock go.
 * An access the TLB satisfies (the entry is present and allows it) is one step. Device DAX faults
 * (drivers/dax/device.c) take no entry lock and run as one step under the mmap lock.
 */
import type { StepArgs } from '../../formats/scenario'
import { handleFault } from '../../sim/ops/fault'
import { OK } from '../../sim/ops/outcome'
import { continueWith, done, type Atomic, type OpContext } from '../atomic'
import { entryLock, invalidateLock, mmapLock } from '../locks'

const SRC = {
  lock: 'mm/memory.c lock_mm_and_find_vma; fs/ext4/file.c ext4_dax_huge_fault filemap_invalidate_lock_shared (6.14-6.17)',
  entry: 'fs/dax.c grab_mapping_entry -> dax_lock_entry (6.14-6.17)',
  insert: 'fs/dax.c dax_fault_iter -> dax_insert_entry + vmf_insert_* (6.14-6.17)',
  unlock: 'fs/dax.c dax_iomap_pte_fault: dax_unlock_entry; filemap_invalidate_unlock_shared',
}

export function accessSteps(ctx: OpContext, args: StepArgs<'access'>): Atomic {
  const name = ctx.task.name
  return {
    label: 'fault: mmap_read_lock',
    source: SRC.lock,
    key: `access-lock:${args.map}:${args.offset}:${args.write}`,
    takes: [mmapLock(name, 'read')],
    run: ({ sim, task, notes, locks }) => {
      const vma = sim.vma(task, args.map)
      const addr = vma.start + args.offset
      if (addr >= vma.end) return done({ status: 'ok', signal: 'SIGSEGV', message: `offset ${args.offset} is past the end of mapping '${args.map}'` })
      const leaf = sim.lookup(vma, addr)
      if ((leaf && (!args.write || leaf.write)) || !vma.file) {
        // A TLB hit, or a device DAX fault (no entry lock): the whole access is this step.
        const signal = handleFault(sim, vma, addr, args.write, args.size, notes)
        return done(signal ? { status: 'ok', signal } : OK)
      }
      const file = vma.file.path
      const index = vma.pgoff + Math.floor((addr - vma.start) / sim.arch.pageSize)
      const unlock = () => {
        locks.release(name, entryLock(file, index).name)
        locks.release(name, invalidateLock(file, 'read').name)
      }
      const insert: Atomic = {
        label: 'fault: dax_iomap_fault insert',
        source: SRC.insert,
        key: `access-insert:${args.map}:${args.offset}:${args.write}`,
        run: () => {
          const signal = handleFault(sim, vma, addr, args.write, args.size, notes)
          unlock()
          return done(signal ? { status: 'ok', signal } : OK)
        },
      }
      return continueWith({
        label: 'fault: invalidate_lock shared, grab_mapping_entry (lock entry)',
        source: `${SRC.lock}; ${SRC.entry}`,
        key: `access-entry:${args.map}:${args.offset}:${args.write}`,
        takes: [invalidateLock(file, 'read'), entryLock(file, index)],
        run: () => continueWith(insert),
      })
    },
  }
}
