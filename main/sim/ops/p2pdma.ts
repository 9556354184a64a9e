/**
 * mmap of a p2pmem region: drivers/pci/p2pdma.c p2pmem_alloc_mmap(), the mmap of
 * /sys/bus/pci/devices/.../p2pmem/allocate. Shared mappings only, offset 0, the whole length
 * allocated from the gen_pool at once, and every page inserted now with vm_insert_page(): there is no
 * fault handler, so nothing is mapped later.
 */
import type { StepArgs } from '../../formats/scenario'
import { cause } from '../causes'
import { hex } from '../folios'
import type { RegionState } from '../memory'
import type { Task } from '../mm'
import { SimError, type Simulation } from '../sim'
import { OK, type OpOutcome } from './outcome'
import { newVma } from './process'

const C = {
  setCount: cause('p2pmem_alloc_mmap: set_page_count(page, 1)'),
  get: cause('vm_insert_page: insert_page_into_pte_locked: folio_get'),
  rmap: cause('vm_insert_page: folio_add_file_rmap_pte'),
  insert: cause('p2pmem_alloc_mmap: vm_insert_page'),
  pgmapGet: cause('p2pmem_alloc_mmap: percpu_ref_get'),
  put: cause('p2pmem_alloc_mmap: put_page'),
}

export function mmapP2pmem(sim: Simulation, task: Task, region: RegionState, args: StepArgs<'mmap'>, notes: string[]): OpOutcome {
  const page = sim.arch.pageSize
  if (!region.alive) throw new SimError('ENXIO', `region '${region.name}' is unbound`)
  // "fail, attempted private mapping" (VM_MAYWRITE without VM_SHARED) and "... non-zero offset".
  if (!args.shared) throw new SimError('EINVAL', 'shared: p2pmem_alloc_mmap refuses private mappings')
  if (args.offset !== 0) throw new SimError('EINVAL', 'offset: p2pmem_alloc_mmap refuses a non-zero offset')
  if (args.sync) throw new SimError('EOPNOTSUPP', 'sync: MAP_SYNC is not supported by p2pmem')
  const pages = Math.ceil(args.length / page)
  sim.work.require(pages, `p2pmem_alloc_mmap of ${pages} pages`)
  const first = region.pool!.allocate(pages)
  if (first === undefined) throw new SimError('ENOMEM', `gen_pool_alloc_owner: no ${pages} contiguous free pages in '${region.name}'`)
  const start = task.allocateVa(pages * page, 0, sim.arch.pmdSize)
  // vm_insert_page() sets VM_MIXEDMAP on the VMA.
  const vma = newVma(sim, args.id, start, pages * page, 0, true, false, { device: region }, true)
  task.vmas.set(args.id, vma)
  const initCount = sim.kernel.on('p2pdma-refcount-init')
  for (let i = 0; i < pages; i++) {
    const pfn = first + i
    const folio = sim.folios.folio(pfn)
    if (initCount) {
      // 6.15+: "Initialise the refcount for the freshly allocated page" (the page is free at 0).
      if (sim.folios.refcount[folio]! !== 0) sim.trace.violation('kernel_warning', `p2pmem_alloc_mmap: page ${hex(pfn)} allocated with refcount ${sim.folios.refcount[folio]!}`, pfn)
      sim.folios.ref(folio, 1, C.setCount)
    }
    sim.folios.ref(folio, 1, C.get)
    sim.folios.map(folio, 1, C.rmap)
    sim.install(vma, 'pte', start + i * page, pfn, 'device', { write: true, dirty: false, special: false, devmap: false }, true, C.insert)
    sim.folios.pgmapRef(region.pgmap!, 1, C.pgmapGet)
    sim.folios.put(folio, 1, C.put)
  }
  notes.push(`p2pmem_alloc_mmap: ${pages} pages from ${hex(first)} inserted (vm_insert_page)`)
  return OK
}
