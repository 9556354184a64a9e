/**
 * mprotect(): mm/mprotect.c do_mprotect_pkey() -> mprotect_fixup() (VMA split at the edges, which for
 * device DAX needs dev_dax_may_split) -> change_protection() over the present entries.
 */
import type { StepArgs } from '../../formats/scenario'
import type { Leaf, Prot, Task, Vma } from '../mm'
import { SimError, type Simulation } from '../sim'
import { protRanges } from '../vma-prot'
import { setProtRelinking } from '../i-mmap'
import { OK, type OpOutcome } from './outcome'
import { maySplit, splitHugeLeaves, userRange, type Range } from './vma-range'
import { cause } from '../causes'
import { EventKind, LEVEL_CODES } from '../events'

const C = {
  wrprotect: cause('change_protection: pte_modify (write bit cleared)'),
  mkwrite: cause('change_protection: pte_mkwrite (can_change_pte_writable)'),
}

export function mprotect(sim: Simulation, task: Task, args: StepArgs<'mprotect'>, notes: string[]): OpOutcome {
  const vma = sim.vma(task, args.map)
  const range = userRange(sim, vma, 'mprotect', args.offset, args.length)
  // do_mprotect_pkey(): a hole in [start, end) is -ENOMEM ("not mapped").
  if (protRanges(vma, range.from, range.to).some((r) => r.prot === 'unmapped')) {
    throw new SimError('ENOMEM', `mprotect: part of offset ${range.from - vma.start}..${range.to - vma.start} of '${vma.id}' is not mapped`)
  }
  maySplit(sim, vma, 'mprotect', range)
  // change_pmd_range(): a huge leaf only partly covered is split (__split_huge_pmd: zapped for DAX).
  const split = splitHugeLeaves(sim, vma, range)
  if (split > 0) notes.push(`change_pmd_range: ${split} huge leaf(s) only partly covered, split (zapped)`)
  const changed = changeProtection(sim, vma, range, args.prot)
  setProtRelinking(vma, range.from, range.to, args.prot, sim.arch.pageSize)
  notes.push(`${changed} present entr${changed === 1 ? 'y' : 'ies'} re-encoded for PROT_${args.prot === 'read' ? 'READ' : args.prot === 'none' ? 'NONE' : 'READ|PROT_WRITE'}`)
  return OK
}

/**
 * change_pte_range()/change_huge_pmd(): every present entry gets pte_modify(entry, newprot). Losing
 * write clears the write bit. Gaining write sets it only where mprotect may do so without a fault:
 * with MM_CP_TRY_CHANGE_WRITABLE, can_change_pte_writable() allows a shared entry that is already
 * dirty, and a VMA without write notify (device DAX: no ->page_mkwrite/->pfn_mkwrite) gets a writable
 * vm_page_prot, so its entries become writable at once. FS DAX VMAs want write notify, so clean
 * entries stay read-only and the next write faults (->pfn_mkwrite). Private entries stay read-only
 * (the lab does not track PageAnonExclusive; the next write goes through the COW path).
 *
 * PROT_NONE: the kernel writes a PROT_NONE entry (present to the MMU but inaccessible; pte_protnone()
 * on NUMA-balancing arches). The arch encoders here have no field for it, so the lab shows the
 * read-only encoding and enforces PROT_NONE from the VMA (access SIGSEGV, GUP -EFAULT, GUP-fast bails).
 */
function changeProtection(sim: Simulation, vma: Vma, range: Range, prot: Prot): number {
  let changed = 0
  // change_protection() walks the range in address order (change_pud_range, change_pmd_range,
  // change_pte_range).
  for (const leaf of sim.leavesInOrder(vma, range.from, range.to)) {
    const level = leaf.level
    const size = sim.levelSizeOrZero(level)
    const start = leaf.index * size
    if (start < range.from || start + size > range.to) continue
    const write = newWrite(vma, leaf, prot)
    if (write === leaf.write) continue
    leaf.write = write
    leaf.raw = sim.arch.encode(level, leaf.pfn, leaf)
    sim.trace.entryEvent(EventKind.ENTRY_SET, leaf.pfn, start / sim.arch.pageSize, write ? C.mkwrite : C.wrprotect, LEVEL_CODES[level], leaf.raw)
    changed += 1
  }
  return changed
}

function newWrite(vma: Vma, leaf: Leaf, prot: Prot): boolean {
  if (prot !== 'read-write') return false
  if (leaf.write || !vma.shared || leaf.kind !== 'dax') return leaf.write
  return vma.device !== undefined || leaf.dirty
}
