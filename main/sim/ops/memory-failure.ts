/**
 * memory_failure() on a ZONE_DEVICE pfn (mm/memory-failure.c): get_dev_pagemap() (+1 pgmap ref),
 * memory_failure_dev_pagemap(): pmem's ->memory_failure notifies the filesystem holder (XFS:
 * xfs_dax_notify_failure -> mf_dax_kill_procs, which finds the owner through the reverse map and does
 * nothing for an index without a DAX entry), otherwise (ext4, device DAX) mf_generic_kill_procs():
 * dax_lock_folio() (a page with no DAX mapping -> -EBUSY), SetPageHWPoison, collect_procs() and
 * unmap_and_kill(), then put_dev_pagemap(). The lab marks the page poisoned in every handled case: pmem
 * records the bad block, so a later dax_direct_access() fails (SIGBUS).
 *
 * Who is signalled: both kill paths set MF_ACTION_REQUIRED, so collect_procs*() call
 * task_early_kill(tsk, force_early=1), which (mm/memory-failure.c task_early_kill(), the same in every
 * release the lab models, 6.1 to 6.17) returns `current` when tsk shares current's mm
 * and otherwise only a thread that asked for early kill (find_early_kill_thread: PF_MCE_EARLY via
 * prctl(PR_MCE_KILL), or the vm.memory_failure_early_kill sysctl). The lab has neither knob, so only
 * the task running the step (the one that consumed or injected the poison) is collected and killed.
 * unmap_mapping_range() still unmaps the page from every mapper; the others meet SIGBUS on their next
 * access. fstests xfs/550 (t_mmap_cow_memory_failure) asserts exactly this: the reader that only waits
 * survives, the process that injected is sent SIGBUS.
 */
import type { StepArgs } from '../../formats/scenario'
import { SimError, type Simulation } from '../sim'
import type { Task } from '../mm'
import type { RegionState } from '../memory'
import { exit } from './process'
import type { OpOutcome } from './outcome'
import { cause } from '../causes'

/** Causes this file writes, interned once. */
const C = {
  memoryFailureGetDev: cause('memory_failure: get_dev_pagemap'),
  unmapAndKillUnmap: cause('unmap_and_kill: unmap_mapping_range'),
  memoryFailurePutDev: cause('memory_failure: put_dev_pagemap'),
}


export function memoryFailure(sim: Simulation, current: Task, args: StepArgs<'memory_failure'>, notes: string[]): OpOutcome {
  const region = sim.region(args.region)
  const pfn = region.basePfn + Math.floor(args.offset / sim.arch.pageSize)
  if (!region.contains(pfn)) throw new SimError('ENXIO', `offset ${args.offset} is beyond region '${region.name}'`)
  return memoryFailurePfn(sim, current, region, pfn, notes)
}

/**
 * memory_failure(pfn, MF_ACTION_REQUIRED) on a ZONE_DEVICE pfn. `countIncreased` is the caller's page
 * reference with MF_COUNT_INCREASED (madvise_inject_error): memory_failure() drops it with
 * put_ref_page() right after get_dev_pagemap(), before memory_failure_dev_pagemap() runs.
 */
export function memoryFailurePfn(sim: Simulation, current: Task, region: RegionState, pfn: number, notes: string[], countIncreased?: () => void): OpOutcome {
  const pgmap = region.pgmap
  // The path is the memory type's (memtypes/*.ts memoryFailure).
  if (region.memtype.memoryFailure === 'not-zone-device' || !pgmap) throw new SimError('ENXIO', `region '${region.name}' is system RAM; only ZONE_DEVICE failures are modelled`)
  if (region.memtype.memoryFailure === 'ebusy') {
    throw new SimError('EBUSY', `mf_generic_kill_procs: dax_lock_folio() fails for ${region.type} pages (no DAX mapping)`)
  }
  sim.folios.pgmapRef(pgmap, 1, C.memoryFailureGetDev)
  countIncreased?.()
  try {
    const owner = sim.ownerOf(pfn)
    const xfs = region.def.type === 'fsdax' && region.def.fs === 'xfs'
    if (!owner && region.type === 'fsdax') {
      if (xfs) {
        sim.poisoned.add(pfn)
        notes.push('mf_dax_kill_procs: no DAX entry at that index, nobody to kill; the bad block stays recorded')
        return { status: 'ok', message: 'bad block recorded' }
      }
      notes.push('dax_lock_folio: page has no DAX mapping -> -EBUSY')
      throw new SimError('EBUSY', `page ${sim.describePfn(pfn)} is not associated with a file (dax_lock_folio returned 0)`)
    }
    sim.folios.folio(pfn)
    sim.poisoned.add(pfn)
    notes.push(`SetPageHWPoison(${sim.describePfn(pfn)})`)
    const maps = (t: Task) => !t.exited && [...t.vmas.values()].some((v) => sim.vmaMapsPfn(v, pfn))
    // collect_procs -> task_early_kill(force_early): current only (see the header).
    const killCurrent = maps(current)
    for (const t of sim.tasks.values()) {
      if (t !== current && maps(t)) notes.push(`${t.name}: not collected (task_early_kill: not current, no early-kill thread); its mapping is unmapped`)
    }
    if (owner) sim.unmapMappingPages(owner.file, owner.index, owner.index + 1, C.unmapAndKillUnmap)
    if (!killCurrent) return { status: 'ok', message: 'page poisoned; the current task does not map it, nobody is signalled' }
    notes.push(`SIGBUS (BUS_MCEERR_AR) to ${current.name}`)
    // kill_procs(MF_MUST_KILL): the default SIGBUS action ends the task. Its exit may have to evict an
    // unlinked inode; a 6.15+ wait there is not modelled.
    if (exit(sim, current).status === 'blocked') notes.push(`${current.name}: exit would wait in dax_break_layout_final (not modelled; the task is treated as gone)`)
    // kill_proc() -> force_sig_mceerr(BUS_MCEERR_AR, ...) for MF_ACTION_REQUIRED (mm/memory-failure.c).
    return { status: 'ok', signal: 'SIGBUS', si_code: 'BUS_MCEERR_AR', message: 'page poisoned; the current task was killed' }
  } finally {
    sim.folios.pgmapRef(pgmap, -1, C.memoryFailurePutDev)
  }
}
