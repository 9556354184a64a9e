/**
 * memory_failure() on a ZONE_DEVICE pfn (mm/memory-failure.c): get_dev_pagemap() (+1 pgmap ref),
 * memory_failure_dev_pagemap(): pmem's ->memory_failure notifies the filesystem holder (XFS:
 * xfs_dax_notify_failure -> mf_dax_kill_procs, which finds the owner through the reverse map and does
 * nothing for an index without a DAX entry), otherwise (ext4, device DAX) mf_generic_kill_procs():
 * dax_lock_folio() (a page with no DAX mapping -> -EBUSY), SetPageHWPoison, unmap_and_kill() every
 * process mapping it with SIGBUS (MF_MUST_KILL), then put_dev_pagemap(). The lab marks the page poisoned
 * in every handled case: pmem records the bad block, so a later dax_direct_access() fails (SIGBUS).
 */
import type { StepArgs } from '../../formats/scenario'
import { SimError, type Simulation } from '../sim'
import { exit } from './process'
import type { OpOutcome } from './outcome'
import { cause } from '../causes'

/** Causes this file writes, interned once. */
const C = {
  memoryFailureGetDev: cause('memory_failure: get_dev_pagemap'),
  unmapAndKillUnmap: cause('unmap_and_kill: unmap_mapping_range'),
  memoryFailurePutDev: cause('memory_failure: put_dev_pagemap'),
}


export function memoryFailure(sim: Simulation, args: StepArgs<'memory_failure'>, notes: string[]): OpOutcome {
  const region = sim.region(args.region)
  const pgmap = region.pgmap
  if (!pgmap) throw new SimError('ENXIO', `region '${region.name}' is system RAM; only ZONE_DEVICE failures are modelled`)
  if (region.type !== 'fsdax' && region.type !== 'devdax') {
    throw new SimError('EBUSY', `mf_generic_kill_procs: dax_lock_folio() fails for ${region.type} pages (no DAX mapping)`)
  }
  const pfn = region.basePfn + Math.floor(args.offset / sim.arch.pageSize)
  if (!region.contains(pfn)) throw new SimError('ENXIO', `offset ${args.offset} is beyond region '${region.name}'`)
  sim.folios.pgmapRef(pgmap, 1, C.memoryFailureGetDev)
  try {
    const owner = sim.ownerOf(pfn)
    const xfs = region.def.type === 'fsdax' && region.def.fs === 'xfs'
    if (!owner && region.type === 'fsdax') {
      if (xfs) {
        sim.folios.hwpoison[sim.folios.folio(pfn)] = 1
        notes.push('mf_dax_kill_procs: no DAX entry at that index, nobody to kill; the bad block stays recorded')
        return { status: 'ok', message: 'bad block recorded' }
      }
      notes.push('dax_lock_folio: page has no DAX mapping -> -EBUSY')
      throw new SimError('EBUSY', `page ${sim.describePfn(pfn)} is not associated with a file (dax_lock_folio returned 0)`)
    }
    const folio = sim.folios.folio(pfn)
    sim.folios.hwpoison[folio] = 1
    notes.push(`SetPageHWPoison(${sim.describePfn(pfn)})`)
    // collect_procs + unmap_and_kill: every task mapping the page gets SIGBUS and, by default, dies.
    const victims = [...sim.tasks.values()].filter((t) => !t.exited && [...t.vmas.values()].some((v) => sim.vmaMapsPfn(v, pfn)))
    if (owner) sim.unmapMappingPages(owner.file, owner.index, owner.index + 1, C.unmapAndKillUnmap)
    for (const task of victims) {
      notes.push(`SIGBUS (BUS_MCEERR) to ${task.name}`)
      // The victim's exit may have to evict an unlinked inode; a 6.15+ wait there is not modelled.
      if (exit(sim, task).status === 'blocked') notes.push(`${task.name}: exit would wait in dax_break_layout_final (not modelled; the task is treated as gone)`)
    }
  } finally {
    sim.folios.pgmapRef(pgmap, -1, C.memoryFailurePutDev)
  }
  return { status: 'ok', message: 'page poisoned' }
}
