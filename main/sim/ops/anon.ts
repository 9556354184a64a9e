/**
 * Anonymous memory in system RAM: mmap without a file or device, and its first-touch faults
 * (mm/memory.c do_anonymous_page(), mm/huge_memory.c do_huge_pmd_anonymous_page(); a shared anonymous
 * mapping is shmem, mm/shmem.c shmem_fault()). RAM pages have no folio records in the lab: they are
 * the source and target of migration and COW, not what the lab counts.
 */
import type { StepArgs } from '../../formats/scenario'
import { cause } from '../causes'
import type { Task, Vma } from '../mm'
import { alignDown } from '../mm'
import { SimError, type Simulation } from '../sim'
import type { FaultSize } from './fault'
import { OK, type OpOutcome } from './outcome'
import { newVma } from './process'

const C = {
  zeroPage: cause('do_anonymous_page: zero page (pte_mkspecial)'),
  anonPage: cause('do_anonymous_page: folio_add_new_anon_rmap'),
  hugeZero: cause('do_huge_pmd_anonymous_page: huge zero folio'),
  thp: cause('do_huge_pmd_anonymous_page: THP (folio_add_new_anon_rmap)'),
  shmem: cause('shmem_fault: shmem folio'),
}

const ZERO_BITS = { write: false, dirty: false, special: true, devmap: false } as const
const HUGE_ZERO_BITS = { write: false, dirty: false, special: false, devmap: false } as const

export function mmapAnon(sim: Simulation, task: Task, args: StepArgs<'mmap'>, notes: string[]): OpOutcome {
  if (args.sync) throw new SimError('EINVAL', 'sync: MAP_SYNC needs a DAX file (FOP_MMAP_SYNC); an anonymous mapping has none')
  if (args.offset !== 0) notes.push('offset ignored: an anonymous mapping has no file offset')
  const length = Math.ceil(args.length / sim.arch.pageSize) * sim.arch.pageSize
  // thp_get_unmapped_area(): anonymous mappings get a PMD-aligned start ("mm: align larger anonymous
  // mappings on THP boundaries"), so an aligned PMD range exists wherever the length allows.
  const start = task.allocateVa(length, 0, sim.arch.pmdSize)
  const vma = newVma(sim, args.id, start, length, 0, args.shared, false, {})
  vma.thp = args.thp === true
  task.vmas.set(args.id, vma)
  return OK
}

/** First touch of an anonymous address (nothing mapped there): returns the signal, if any. */
export function anonFault(sim: Simulation, vma: Vma, addr: number, write: boolean, size: FaultSize, notes: string[]): string | undefined {
  if (vma.shared) {
    // shmem_fault(): a shmem folio is allocated even for a read; vma_wants_writenotify() is false for
    // shmem, so the PTE is writable at once.
    sim.install(vma, 'pte', addr, sim.anonPage(), 'anon', { write: true, dirty: write, special: false, devmap: false }, false, C.shmem)
    notes.push('pte: mapped (shmem)')
    return undefined
  }
  const { pmdSize, pmdPages } = sim.arch
  const start = alignDown(addr, pmdSize)
  const pmdFits = vma.thp === true && size !== 'pte' && sim.arch.pmdLeaves && start >= vma.start && start + pmdSize <= vma.end && !sim.ptesUnder(vma, start)
  if (pmdFits) {
    if (!write) {
      // do_huge_pmd_anonymous_page(): a read maps the huge zero folio (no reference).
      sim.install(vma, 'pmd', start, sim.hugeZeroPfn, 'zero', HUGE_ZERO_BITS, false, C.hugeZero)
    } else {
      vma.anonVma = true
      sim.install(vma, 'pmd', start, sim.anonPages(pmdPages), 'anon', { write: true, dirty: true, special: false, devmap: false }, false, C.thp)
    }
    notes.push('pmd: mapped')
    return undefined
  }
  if (size === 'pmd' || size === 'pud') notes.push(`${size}: fallback (${vma.thp ? 'PMD range not inside the VMA' : 'no MADV_HUGEPAGE (thp) on this mapping'})`)
  if (!write) {
    // do_anonymous_page(): a read maps the shared zero page, special, without a reference.
    sim.install(vma, 'pte', addr, sim.zeroPfn, 'zero', ZERO_BITS, false, C.zeroPage)
  } else {
    vma.anonVma = true
    sim.install(vma, 'pte', addr, sim.anonPage(), 'anon', { write: true, dirty: true, special: false, devmap: false }, false, C.anonPage)
  }
  notes.push('pte: mapped')
  return undefined
}
