/**
 * Address ranges inside one mapping for the verbs that act on part of it (munmap, mprotect, madvise,
 * mremap): the checks the syscalls make on (addr, len), the device-dax split rule, and splitting huge
 * leaves that straddle an edge.
 */
import type { Level } from '../../../arch/api'
import { cause } from '../causes'
import { alignBytes } from '../memory'
import type { Vma } from '../mm'
import { SimError, type Simulation } from '../sim'

export interface Range {
  readonly from: number
  readonly to: number
}

/** The levels a huge leaf sits at. */
const HUGE_LEVELS: readonly Level[] = ['pmd', 'pud']

const C = {
  splitPmd: cause('__split_huge_pmd: DAX PMD zapped (no PTE table for file DAX)'),
  splitPud: cause('__split_huge_pud: DAX PUD zapped'),
}

/**
 * [offset, offset + length) of vma as an address range. The start must be page aligned (EINVAL, as
 * every one of these syscalls checks `start & ~PAGE_MASK`); the length is rounded up to pages
 * (PAGE_ALIGN(len)) and clipped at the end of the mapping. No length means "to the end".
 */
export function userRange(sim: Simulation, vma: Vma, op: string, offset: number, length: number | undefined): Range {
  const page = sim.arch.pageSize
  if (offset % page !== 0) throw new SimError('EINVAL', `${op}: offset ${offset} is not a multiple of the page size ${page}`)
  if (length === 0) throw new SimError('EINVAL', `${op}: length is 0`)
  const from = vma.start + offset
  if (from >= vma.end) throw new SimError('EINVAL', `${op}: offset ${offset} is past the end of mapping '${vma.id}' (${vma.end - vma.start} bytes)`)
  const to = length === undefined ? vma.end : Math.min(vma.end, from + Math.ceil(length / page) * page)
  return { from, to }
}

/**
 * __split_vma() asks vm_ops->may_split first: drivers/dax/device.c dev_dax_may_split() refuses an
 * address not aligned to dev_dax->align with -EINVAL (so a device-dax mapping is only ever cut at its
 * alignment). FS DAX VMAs have no may_split.
 */
export function maySplit(sim: Simulation, vma: Vma, op: string, range: Range): void {
  const def = vma.device?.def
  if (!def || def.type !== 'devdax') return
  const align = alignBytes(def.align)
  for (const addr of [range.from, range.to]) {
    if (addr === vma.start || addr === vma.end) continue
    if (addr % align !== 0) {
      throw new SimError('EINVAL', `${op}: dev_dax_may_split: offset ${addr - vma.start} is not a multiple of the device align ${def.align}`)
    }
  }
}

/**
 * Huge leaves that straddle an edge of the range are split first (vma_adjust_trans_huge() for VMA
 * splits, the `next - addr != HPAGE_PMD_SIZE` checks in change_pmd_range()/zap_pmd_range()). For a
 * DAX VMA, mm/huge_memory.c __split_huge_pmd_locked() only clears the PMD: `if (!vma_anonymous)
 * { old_pmd = pmdp_huge_clear_flush(); ... if (!vma_is_dax(vma) && vma_is_special_huge(vma)) return;
 * ... folio_remove_rmap_pmd(); folio_put(); return; }` (6.15+, where DAX folios are refcounted; 6.1-6.14
 * return at `vma_is_special_huge(vma)` before touching the page). No PTE table is built: later
 * accesses fault again at whatever size fits. zapLeaf() drops the rmap and reference exactly when the
 * leaf holds them.
 */
export function splitHugeLeaves(sim: Simulation, vma: Vma, range: Range): number {
  let split = 0
  // In address order: the leaf across the range's start before the one across its end, as
  // vma_adjust_trans_huge() splits them.
  for (const leaf of sim.leavesInOrder(vma, range.from, range.to, HUGE_LEVELS)) {
    const level = leaf.level
    const size = sim.levelSizeOrZero(level)
    const start = leaf.index * size
    const end = start + size
    if (!(start >= range.from && end <= range.to)) {
      sim.zapLeaf(vma, level, leaf.index, level === 'pmd' ? C.splitPmd : C.splitPud)
      split += 1
    }
  }
  return split
}
