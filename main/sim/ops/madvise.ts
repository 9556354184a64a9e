/**
 * madvise() on DAX mappings (mm/madvise.c), the advices the DAX test suites use:
 * - dontneed: madvise_dontneed_single_vma() -> zap_page_range_single(): the entries go (huge leaves
 *   across an edge are split, i.e. zapped, first), private COW copies too. Refused (-EINVAL) only for
 *   VM_LOCKED/VM_PFNMAP VMAs (madvise_dontneed_free_valid_vma), which DAX VMAs are not.
 * - free: madvise_free_single_vma(): `if (!vma_is_anonymous(vma)) return -EINVAL`.
 * - hwpoison: madvise_inject_error(): per page get_user_pages_fast(start, 1, 0, &page) (FOLL_GET, faults
 *   the page in), then memory_failure(pfn, MF_ACTION_REQUIRED | MF_COUNT_INCREASED | MF_SW_SIMULATED).
 *   For ZONE_DEVICE memory_failure() takes get_dev_pagemap(), drops the GUP reference (put_ref_page),
 *   and runs memory_failure_dev_pagemap(): the caller is current, so it gets SIGBUS BUS_MCEERR_AR
 *   (ndctl test/dax-poison.c asserts exactly that si_code).
 * - soft_offline: the same GUP, then soft_offline_page(pfn, MF_COUNT_INCREASED): "Only online pages can
 *   be soft-offlined (esp., not ZONE_DEVICE)": put_ref_page() and -EIO.
 * - collapse: madvise_collapse() -> thp_vma_allowable_order() -> __thp_vma_allowable_orders():
 *   `if (vma_is_dax(vma)) return in_pf ? orders : 0;` outside a fault, so -EINVAL.
 * Every release the lab models (6.1 to 6.17) behaves the same here.
 */
import type { StepArgs } from '../../formats/scenario'
import { cause } from '../causes'
import type { Task, Vma } from '../mm'
import { SimError, type Simulation } from '../sim'
import { protRanges } from '../vma-prot'
import { gup, releaseGup } from './gup'
import { memoryFailurePfn } from './memory-failure'
import { OK, type OpOutcome } from './outcome'
import { splitHugeLeaves, userRange, type Range } from './vma-range'

const C = {
  dontneed: cause('madvise_dontneed_single_vma: zap_page_range_single'),
}

export function madvise(sim: Simulation, task: Task, args: StepArgs<'madvise'>, notes: string[]): OpOutcome {
  const vma = sim.vma(task, args.map)
  const range = userRange(sim, vma, 'madvise', args.offset, args.length)
  // madvise_walk_vmas(): an unmapped hole in the range is -ENOMEM.
  if (protRanges(vma, range.from, range.to).some((r) => r.prot === 'unmapped')) {
    throw new SimError('ENOMEM', `madvise: part of the range of '${vma.id}' is not mapped`)
  }
  switch (args.advice) {
    case 'dontneed': {
      const split = splitHugeLeaves(sim, vma, range)
      if (split > 0) notes.push(`zap_pmd_range: ${split} huge leaf(s) only partly covered, split (zapped)`)
      sim.zapRange(vma, range.from, range.to, C.dontneed)
      return OK
    }
    case 'free':
      throw new SimError('EINVAL', 'madvise_free_single_vma: MADV_FREE needs an anonymous VMA; a DAX mapping is file or device backed')
    case 'collapse':
      throw new SimError('EINVAL', 'madvise_collapse: thp_vma_allowable_order() is 0 for a DAX VMA outside a page fault')
    case 'hwpoison':
    case 'soft_offline':
      return injectError(sim, task, vma, range, args.advice, notes)
  }
}

/** madvise_inject_error(): page by page, GUP then memory_failure() or soft_offline_page(). */
function injectError(sim: Simulation, task: Task, vma: Vma, range: Range, advice: 'hwpoison' | 'soft_offline', notes: string[]): OpOutcome {
  const page = sim.arch.pageSize
  for (let addr = range.from; addr < range.to; addr += page) {
    const id = `madvise@${sim.trace.step}:${addr - vma.start}`
    gup(sim, task, { id, map: vma.id, offset: addr - vma.start, pages: 1, pin: false, longterm: false, fast: true, write: false, p2pdma: false }, notes)
    const leaf = sim.lookup(vma, addr)
    const pfn = leaf ? sim.pfnAt(leaf, addr) : undefined
    const region = pfn === undefined ? undefined : sim.folios.regionOf(pfn)
    if (!region || !region.pgmap) {
      releaseGup(sim, id, false)
      throw new SimError('ENXIO', `madvise: the page at offset ${addr - vma.start} is ${leaf?.kind === 'zero' ? 'the shared zero page' : 'an anon copy'} (system RAM); the lab models ZONE_DEVICE failures only`)
    }
    if (advice === 'soft_offline') {
      releaseGup(sim, id, false)
      throw new SimError('EIO', `soft_offline_page: ${sim.describePfn(pfn!)} is ZONE_DEVICE, not an online page`)
    }
    notes.push(`madvise_inject_error: memory_failure(${sim.describePfn(pfn!)}, MF_ACTION_REQUIRED|MF_COUNT_INCREASED)`)
    const outcome = memoryFailurePfn(sim, task, region, pfn!, notes, () => releaseGup(sim, id, false))
    // The task that asked is current: once it is killed nothing after this page runs.
    if (outcome.status !== 'ok' || outcome.signal) return outcome
  }
  return OK
}
