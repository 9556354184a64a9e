/**
 * memory_failure() on an FS DAX page as atomic steps (mm/memory-failure.c, 6.14-6.17):
 *   1. memory_failure -> memory_failure_dev_pagemap: find the page's owner (folio->mapping/index);
 *   2. mf_generic_kill_procs -> dax_lock_folio(): lock the DAX entry (waits while a fault or a layout
 *      break holds it; xfs goes through mf_dax_kill_procs -> dax_lock_mapping_entry, the same lock);
 *   3. SetPageHWPoison, collect_procs, unmap_and_kill (the engine's memoryFailure, which also takes
 *      and drops its dev_pagemap reference);
 *   4. dax_unlock_folio().
 * A page with no owner, or on a device DAX region, runs as one step (the engine's memoryFailure).
 */
import type { StepArgs } from '../../formats/scenario'
import { memoryFailure } from '../../sim/ops/memory-failure'
import { continueWith, done, type Atomic, type OpContext } from '../atomic'
import { entryLock } from '../locks'
import { flushCanComplete } from '../tlb-fence'

export function memoryFailureSteps(ctx: OpContext, args: StepArgs<'memory_failure'>): Atomic {
  return {
    label: 'memory_failure: find the owner (folio->mapping)',
    source: 'mm/memory-failure.c memory_failure -> memory_failure_dev_pagemap (6.14-6.17)',
    key: `mf-start:${args.region}:${args.offset}`,
    run: ({ sim, task, notes }) => {
      const region = sim.region(args.region)
      const pfn = region.basePfn + Math.floor(args.offset / sim.arch.pageSize)
      const owner = region.type === 'fsdax' && region.contains(pfn) ? sim.ownerOf(pfn) : undefined
      if (!owner) return done(memoryFailure(sim, task, args, notes))
      const lock = entryLock(owner.file.path, owner.index)
      const unlock: Atomic = {
        label: 'dax_unlock_folio',
        source: 'mm/memory-failure.c mf_generic_kill_procs -> fs/dax.c dax_unlock_folio (6.14-6.17)',
        key: `mf-unlock:${args.region}:${args.offset}`,
        run: ({ locks }) => {
          locks.release(task.name, lock.name)
          return done({ status: 'ok' })
        },
      }
      return continueWith({
        label: 'dax_lock_folio (lock entry)',
        source: 'mm/memory-failure.c mf_generic_kill_procs -> fs/dax.c dax_lock_folio (6.14-6.17)',
        key: `mf-lock:${args.region}:${args.offset}:${owner.file.path}:${owner.index}`,
        takes: [lock],
        run: () =>
          continueWith({
            label: 'memory_failure: poison, collect_procs, unmap_and_kill',
            source: 'mm/memory-failure.c mf_generic_kill_procs: SetPageHWPoison, collect_procs, unmap_and_kill (6.14-6.17)',
            key: `mf-kill:${args.region}:${args.offset}`,
            // unmap_and_kill's TLB flush (unmap_mapping_range) waits for GUP-fast walks on IPI arches.
            until: flushCanComplete,
            run: () => {
              const outcome = memoryFailure(sim, task, args, notes)
              // The outcome is the step's; the unlock is one more step before it is reported.
              return continueWith({ ...unlock, run: (c) => (unlock.run(c), done(outcome)) })
            },
          }),
      })
    },
  }
}
