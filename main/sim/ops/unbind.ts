/**
 * `unbind {region}`: the driver of a device goes away while memory of it may still be mapped or
 * pinned. Each type does what its kernel driver does before memunmap_pages() (mm/memremap.c), which
 * kills pgmap->ref, drops the per-folio references pagemap_range() took (not for PRIVATE/COHERENT) and
 * waits for the rest (wait_for_completion(&pgmap->done)):
 * - device-private / device-coherent (lib/test_hmm.c dmirror_device_evict_chunk()): every page is
 *   migrated back to system RAM (migrate_device_range()); a pinned page cannot be and keeps its pgmap
 *   reference, so the teardown waits.
 * - device DAX (drivers/dax/bus.c kill_dev_dax()): unmap_mapping_range() zaps every mapping, later
 *   faults SIGBUS (check_vma: !dax_alive). Page pins are not backed by pgmap references, so
 *   memunmap_pages() does not wait for them: a pinned page is torn down under DMA.
 * - p2pmem (drivers/pci/p2pdma.c): nothing unmaps user mappings, and every mapped page holds a pgmap
 *   reference (p2pmem_alloc_mmap(): percpu_ref_get), so the teardown waits until they are unmapped.
 */
import type { StepArgs } from '../../formats/scenario'
import { cause } from '../causes'
import { ModelError } from '../errors'
import { hex } from '../folios'
import type { RegionState } from '../memory'
import { SimError, type Simulation } from '../sim'
import { deviceToRam } from './migrate'
import type { OpOutcome } from './outcome'

const C = {
  kill: cause('memunmap_pages: percpu_ref_kill'),
  putMany: cause('memunmap_pages: percpu_ref_put_many(pfn_len)'),
  killDevDax: cause('kill_dev_dax: unmap_mapping_range'),
}

export function unbind(sim: Simulation, args: StepArgs<'unbind'>, notes: string[]): OpOutcome {
  const region = sim.region(args.region)
  if (!region.alive) throw new SimError('ENODEV', `region '${region.name}' is already unbound`)
  switch (region.type) {
    case 'system-ram':
      throw new SimError('EINVAL', `region: '${region.name}' is system RAM, there is no driver to unbind`)
    case 'fsdax':
      // Holder notification (MF_MEM_PRE_REMOVE: the filesystem shuts down and kills its mappers) is not modelled.
      throw new ModelError(`unbind of fsdax region '${region.name}' under a mounted filesystem is not modelled (kill_dax -> dax holder notify)`)
    case 'devdax':
      return unbindDevdax(sim, region, notes)
    case 'device-private':
    case 'device-coherent':
      return evictDeviceMemory(sim, region, notes)
    case 'p2pdma':
      return memunmapPages(sim, region, notes, 'p2pmem pages still mapped hold pgmap references (p2pmem_alloc_mmap: percpu_ref_get)')
  }
}

function unbindDevdax(sim: Simulation, region: RegionState, notes: string[]): OpOutcome {
  let zapped = 0
  // kill_dev_dax() -> unmap_mapping_range(inode->i_mapping, 0, 0, 1): the instance's i_mmap, in order.
  for (const vma of region.iMmap.inOrder()) {
    sim.zapRange(vma, vma.start, vma.end, C.killDevDax)
    zapped++
  }
  notes.push(`kill_dev_dax: dax_alive = false; unmap_mapping_range zapped ${zapped} mappings`)
  const outcome = memunmapPages(sim, region, notes, 'references held outside the pgmap')
  for (const f of sim.folios.touchedIn(region.basePfn, region.basePfn + region.nrPages)) {
    if (sim.folios.gupRefs[f]! === 0) continue
    const head = sim.folios.head[f]!
    sim.trace.violation('dma_after_release', `device-dax page ${hex(head)} is still pinned by GUP (DMA in flight) when memunmap_pages() tears its memmap down: page references are not backed by pgmap references for GENERIC pgmaps`, head)
  }
  return outcome
}

function evictDeviceMemory(sim: Simulation, region: RegionState, notes: string[]): OpOutcome {
  let evicted = 0
  for (const f of sim.folios.touchedIn(region.basePfn, region.basePfn + region.nrPages)) {
    if (sim.folios.mapcount[f]! === 0) continue
    const head = sim.folios.head[f]!
    // migrate_device_unmap() -> migrate_vma_check_page(): extra references (a pin) make it fail.
    if (sim.folios.gupRefs[f]! > 0) {
      notes.push(`${hex(head)}: pinned, migrate_vma_check_page fails: stays on the device`)
      continue
    }
    deviceToRam(sim, head)
    evicted++
  }
  notes.push(`dmirror_device_evict_chunk: ${evicted} pages migrated to system RAM`)
  return memunmapPages(sim, region, notes, 'device pages that could not be evicted')
}

/** memunmap_pages(): kill, drop the per-folio references, wait for pgmap->done. */
function memunmapPages(sim: Simulation, region: RegionState, notes: string[], holders: string): OpOutcome {
  const pgmap = region.pgmap!
  region.alive = false
  pgmap.dying = true
  sim.folios.pgmapRef(pgmap, -1, C.kill)
  if (region.memtype.pgmapRefPerFolio) sim.folios.pgmapRef(pgmap, -(region.nrPages / 2 ** region.staticOrder), C.putMany)
  const done = (): OpOutcome => {
    if (pgmap.refs === 0) {
      notes.push('memunmap_pages: pgmap->done completed, memmap torn down')
      return { status: 'ok', message: `${region.name} unbound` }
    }
    return {
      status: 'blocked',
      waitOn: region.basePfn,
      reason: `memunmap_pages: wait_for_completion(&pgmap->done) with ${pgmap.refs} pgmap references left (${holders})`,
      interruptible: false,
      resume: done,
    }
  }
  return done()
}
