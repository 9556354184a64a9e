/**
 * mremap(): mm/mremap.c. `move: false` resizes in place (shrinking unmaps the tail; growing needs free
 * address space after the mapping, else -ENOMEM, as without MREMAP_MAYMOVE). `move: true` moves the
 * mapping to a fresh address picked like get_unmapped_area() (same colour as the file offset, so huge
 * leaves move whole), as MREMAP_MAYMOVE|MREMAP_FIXED does. `dontunmap` (MREMAP_DONTUNMAP) keeps the
 * old mapping, emptied of its entries.
 */
import type { StepArgs } from '../../formats/scenario'
import { cause } from '../causes'
import { EventKind, LEVEL_CODES } from '../events'
import { alignBytes } from '../memory'
import type { Task, Vma } from '../mm'
import { SimError, type Simulation } from '../sim'
import { protOf, setProt, uniform } from '../vma-prot'
import { OK, type OpOutcome } from './outcome'
import { newVma } from './process'
import { iMmapOf } from '../i-mmap'
import { maySplit, splitHugeLeaves } from './vma-range'

const C = {
  moveOut: cause('move_page_tables: entry moved out'),
  moveIn: cause('move_page_tables: entry moved in (move_ptes / move_huge_pmd; no reference or rmap change)'),
  shrink: cause('mremap: do_vmi_munmap of the tail'),
}

export function mremap(sim: Simulation, task: Task, args: StepArgs<'mremap'>, notes: string[]): OpOutcome {
  const vma = sim.vma(task, args.map)
  const page = sim.arch.pageSize
  const oldLen = vma.end - vma.start
  const newLen = Math.ceil(args.length / page) * page
  if (newLen === 0) throw new SimError('EINVAL', 'mremap: length is 0')
  // mremap(): "MREMAP_DONTUNMAP is always a move and it does not allow resizing in the process".
  if (args.dontunmap && (!args.move || newLen !== oldLen)) throw new SimError('EINVAL', 'mremap: dontunmap needs move: true and the same length')
  // The kernel looks up one VMA at the old address and refuses an old range running past it (-EFAULT):
  // a mapping already cut by mprotect or a partial munmap is several VMAs.
  if (!uniform(vma)) throw new SimError('EFAULT', `mremap: '${vma.id}' is split into several VMAs (mprotect or partial munmap); mremap needs one`)
  const newId = args.new_id ?? args.map
  if (args.dontunmap && newId === args.map) throw new SimError('EINVAL', 'mremap: dontunmap keeps the old mapping under its id; name the new one with new_id')
  if (newId !== args.map && task.vmas.has(newId)) throw new SimError('EINVAL', `mremap: task ${task.name} already has a mapping '${newId}'`)
  const align = deviceAlign(vma)
  if (align !== undefined && newLen % align !== 0) {
    // Shrinking cuts the VMA at the new end: dev_dax_may_split() refuses it. Growing to an unaligned
    // end would leave a VMA that check_vma() refuses on every fault; the lab refuses that resize too.
    const why = newLen < oldLen ? 'dev_dax_may_split refuses to cut the VMA there' : 'check_vma would refuse every fault of the unaligned VMA (the lab refuses the resize)'
    throw new SimError('EINVAL', `mremap: length ${newLen} is not a multiple of the device align: ${why}`)
  }

  if (!args.move) {
    if (newLen < oldLen) return shrink(sim, task, vma, newId, newLen, notes)
    if (newLen > oldLen) {
      const end = vma.start + newLen
      const clash = [...task.vmas.values()].find((v) => v !== vma && v.start < end && v.end > vma.end)
      if (clash) throw new SimError('ENOMEM', `mremap: no room to grow '${vma.id}' in place ('${clash.id}' follows it) and move is false`)
    }
    replace(task, vma, resized(sim, vma, newId, vma.start, newLen, true))
    return OK
  }

  // move_vma(): copy_vma() gets the new VMA (and its file reference), move_page_tables() carries the
  // entries over untouched, then the old range is unmapped unless MREMAP_DONTUNMAP.
  if (newLen < oldLen) {
    // mremap_to(): a smaller new length unmaps the old tail first (do_vmi_munmap).
    const tail = { from: vma.start + newLen, to: vma.end }
    maySplit(sim, vma, 'mremap', tail)
    splitHugeLeaves(sim, vma, tail)
    sim.zapRange(vma, tail.from, tail.to, C.shrink)
  }
  const colourAlign = vma.file ? sim.arch.pmdSize : Math.max(align ?? 0, sim.arch.pmdSize)
  const start = task.allocateVa(newLen, vma.pgoff * page, colourAlign)
  const moved = resized(sim, vma, newId, start, newLen, false)
  const count = moveEntries(sim, vma, moved)
  task.vmas.set(newId, moved)
  // copy_vma() -> vma_link(): the new VMA takes its place in i_mmap like any new mapping.
  iMmapOf(vma)?.insert(moved)
  if (args.dontunmap) {
    // The old VMA stays (a file mapping refaults from the file; anon memory would be empty).
    const kept = resized(sim, vma, vma.id, vma.start, oldLen, false)
    task.vmas.set(vma.id, kept)
    iMmapOf(vma)?.replace(vma, kept)
    if (vma.file) vma.file.mappings += 1
    notes.push(`MREMAP_DONTUNMAP: ${count} entries moved; '${vma.id}' stays mapped, empty`)
  } else {
    if (newId !== vma.id) task.vmas.delete(vma.id)
    iMmapOf(vma)?.remove(vma)
    notes.push(`move_vma: ${count} entries moved to a new address`)
  }
  return OK
}

function deviceAlign(vma: Vma): number | undefined {
  const def = vma.device?.def
  return def?.type === 'devdax' ? alignBytes(def.align) : undefined
}

/** A copy of vma's bookkeeping at start with length newLen; `keepTables` shares the page tables (same start). */
function resized(sim: Simulation, vma: Vma, id: string, start: number, newLen: number, keepTables: boolean): Vma {
  const copy = newVma(sim, id, start, newLen, vma.pgoff, vma.shared, vma.sync, { file: vma.file, device: vma.device }, vma.mixedmap)
  copy.anonVma = vma.anonVma
  const prot = protOf(vma)
  if (prot !== 'read-write') setProt(copy, copy.start, copy.end, prot)
  if (!keepTables) return copy
  return { ...copy, tables: vma.tables, ptesPerPmd: vma.ptesPerPmd }
}

/**
 * The resized VMA stands in for the old one. In i_mmap a resize moves it: vma_expand() (growing) and
 * the split of a shrink take it out and put it in again (vma_prepare, vma_complete). Same length:
 * mremap() changes nothing, and it keeps its place.
 */
function replace(task: Task, old: Vma, vma: Vma): void {
  if (old.id !== vma.id) task.vmas.delete(old.id)
  task.vmas.set(vma.id, vma)
  const list = iMmapOf(old)
  if (!list) return
  if (vma.end - vma.start === old.end - old.start) {
    list.replace(old, vma)
  } else {
    list.remove(old)
    list.insert(vma)
  }
}

function shrink(sim: Simulation, task: Task, vma: Vma, newId: string, newLen: number, notes: string[]): OpOutcome {
  const tail = { from: vma.start + newLen, to: vma.end }
  maySplit(sim, vma, 'mremap', tail)
  const split = splitHugeLeaves(sim, vma, tail)
  if (split > 0) notes.push(`__split_huge_pmd: ${split} huge leaf(s) across the new end zapped`)
  sim.zapRange(vma, tail.from, tail.to, C.shrink)
  replace(task, vma, resized(sim, vma, newId, vma.start, newLen, true))
  return OK
}

/** move_page_tables(): each leaf leaves the old table and lands at the same offset in the new one. */
function moveEntries(sim: Simulation, from: Vma, to: Vma): number {
  let count = 0
  const delta = to.start - from.start
  // move_page_tables() goes up the old range extent by extent (move_huge_pmd, move_ptes).
  for (const leaf of sim.leavesInOrder(from, from.start, from.end)) {
    const level = leaf.level
    const size = sim.levelSizeOrZero(level)
    const oldAddr = leaf.index * size
    const newAddr = oldAddr + delta
    sim.trace.entryEvent(EventKind.ENTRY_CLEAR, leaf.pfn, oldAddr / sim.arch.pageSize, C.moveOut, LEVEL_CODES[level], leaf.raw)
    sim.setLeaf(to, { ...leaf, index: newAddr / size })
    sim.trace.entryEvent(EventKind.ENTRY_SET, leaf.pfn, newAddr / sim.arch.pageSize, C.moveIn, LEVEL_CODES[level], leaf.raw)
    count += 1
  }
  return count
}
