/**
 * File operations that change the block layout of a DAX file and therefore have to break it first:
 * create/write (allocate), truncate, punch_hole, unlink/evict and umount, with the waits each release
 * does. 6.15+: fs/dax.c dax_break_layout()/dax_break_layout_final(). 6.14: the per-filesystem
 * ext4_break_layouts()/xfs_break_dax_layouts()/fuse_dax_break_layouts() loops over
 * dax_layout_busy_page() and generic truncate for the entries; nothing waits at evict.
 */
import type { StepArgs } from '../../formats/scenario'
import { DaxFile, type DaxEntry, type DaxFs } from '../daxfs'
import { EventKind } from '../events'
import { hex } from '../folios'
import { SimError, type Simulation } from '../sim'
import { andThen, OK, type OpOutcome } from './outcome'
import { cause, type CauseId } from '../causes'
import { entryZapped, releaseEntry, requestsFolios } from '../proposal-2022'

/** Causes this file writes, interned once. */
const C = {
  daxIomapIterIomap: cause('dax_iomap_iter: IOMAP_F_NEW invalidates zero pages'),
  daxLayoutBusyPage: cause('dax_layout_busy_page_range: unmap_mapping_pages'),
  truncatePagecacheUnmapMapping: cause('truncate_pagecache: unmap_mapping_range'),
  truncatePagecacheRangeUnmap: cause('truncate_pagecache_range: unmap_mapping_range'),
}


export const ALL = Number.MAX_SAFE_INTEGER

/** The 6.14 per-filesystem loops around dax_layout_busy_page() (fs/ext4, fs/xfs, fs/fuse/dax.c). */
const LEGACY_BREAK_LAYOUTS = { ext4: 'ext4_break_layouts', xfs: 'xfs_break_dax_layouts', virtiofs: 'fuse_dax_break_layouts' } as const

export function create(sim: Simulation, args: StepArgs<'create'>): OpOutcome {
  const fs = sim.fsFor(args.file)
  if (fs.files.has(args.file)) throw new SimError('EEXIST', `'${args.file}' exists`)
  const file = new DaxFile(args.file, fs)
  file.size = args.length
  const pages = Math.ceil(args.length / sim.arch.pageSize)
  if (!args.sparse && pages > 0 && !fs.allocate(file, 0, pages, sim.arch.pmdPages)) {
    for (const e of file.extents) fs.allocator.release(e.pfn, e.count)
    throw new SimError('ENOSPC', `no room for ${args.length} bytes on ${fs.mount}`)
  }
  fs.files.set(args.file, file)
  return OK
}

/**
 * write(2) through dax_iomap_rw(): copies into pmem without page references; allocating over a hole
 * (IOMAP_F_NEW) invalidates the zero-page entries there; a poisoned block is rewritten through
 * DAX_RECOVERY_WRITE (recoveryWrite).
 */
export function write(sim: Simulation, args: StepArgs<'write'>, notes: string[]): OpOutcome {
  const file = sim.file(args.file)
  const page = sim.arch.pageSize
  // mm/filemap.c generic_write_checks() -> generic_write_check_limits(): a write past s_maxbytes is
  // -EFBIG. The lab's largest file is 2^53 - 1 bytes (offsets are exact JavaScript numbers below
  // that); ext4 and xfs allow less or more.
  if (args.offset + args.length > Number.MAX_SAFE_INTEGER) {
    throw new SimError('EFBIG', `a write of ${args.length} bytes at offset ${args.offset} ends past the largest file size the lab models (2^53 - 1 bytes)`)
  }
  allocateHoles(sim, file, Math.floor(args.offset / page), Math.ceil((args.offset + args.length) / page), 'the write', C.daxIomapIterIomap)
  const written = recoveryWrite(sim, file, args.offset, args.length, notes)
  file.size = Math.max(file.size, args.offset + written)
  return written < args.length ? { status: 'ok', message: `short write: ${written} of ${args.length} bytes` } : OK
}

/**
 * Gives every hole of file pages [from, to) blocks, unmapping the zero-page entries over them first
 * (`zeroCause`). The blocks the holes need come from the extents: a request that cannot get them fails
 * at once with -ENOSPC (the iomap block reservation), however long the range. Hole by hole, extent by
 * extent: the work is proportional to the extents, not to the length.
 */
export function allocateHoles(sim: Simulation, file: DaxFile, from: number, to: number, what: string, zeroCause: CauseId): void {
  const needed = to - from - file.allocatedIn(from, to)
  if (needed > file.fs.allocator.freePages()) {
    throw new SimError('ENOSPC', `no room on ${file.fs.mount}: ${what} needs ${needed} more blocks, ${file.fs.allocator.freePages()} are free`)
  }
  for (let index = from; index < to; ) {
    const run = file.contiguousFrom(index)
    if (run > 0) {
      index += run
      continue
    }
    const hole = file.holeEnd(index, to) - index
    for (const e of file.entriesIn(index, index + hole)) {
      if (e.pfn !== undefined) continue
      sim.unmapMappingPages(file, e.index, e.index + 2 ** e.order, zeroCause)
      file.entries.delete(e.index)
    }
    if (!file.fs.allocate(file, index, hole, sim.arch.pmdPages)) throw new SimError('ENOSPC', `no room on ${file.fs.mount}`)
    index += hole
  }
}

/**
 * Poisoned blocks under a write. fs/dax.c dax_iomap_iter(): dax_direct_access(DAX_ACCESS) fails with
 * -EHWPOISON, so for a WRITE it retries with DAX_RECOVERY_WRITE, which pmem (__pmem_direct_access)
 * grants one page at the bad block, and dax_recovery_write() -> pmem_recovery_write()
 * (drivers/nvdimm/pmem.c) clears the poison (pmem_clear_poison: badblocks cleared, PageHWPoison
 * cleared by pmem_mkpage_present) before copying. A bad page the write covers only in part cannot be
 * recovered: pmem_recovery_write() returns 0 ("not page aligned"), dax_iomap_iter() stops there
 * (xfer == 0 -> -EFAULT), and write(2) returns the bytes before it, or EFAULT if there are none.
 * Returns the bytes written.
 */
function recoveryWrite(sim: Simulation, file: DaxFile, offset: number, length: number, notes: string[]): number {
  if (sim.poisoned.size === 0 || length === 0) return length
  const page = sim.arch.pageSize
  const bad: { index: number; pfn: number }[] = []
  for (const pfn of sim.poisoned) {
    // The file's block map (iomap), not the DAX entries: a poisoned block nobody maps is still found.
    const extent = file.extents.find((e) => pfn >= e.pfn && pfn < e.pfn + e.count)
    if (!extent) continue
    const index = extent.index + (pfn - extent.pfn)
    const start = index * page
    if (start + page > offset && start < offset + length) bad.push({ index, pfn })
  }
  bad.sort((a, b) => a.index - b.index)
  for (const { index, pfn } of bad) {
    const start = index * page
    if (start < offset || start + page > offset + length) {
      const done = Math.max(0, start - offset)
      notes.push(`dax_iomap_iter: -EHWPOISON at index ${index}; pmem_recovery_write: the write covers the poisoned page only in part, nothing recovered`)
      if (done === 0) throw new SimError('EFAULT', `write over poisoned page ${sim.describePfn(pfn)} does not cover the whole page (pmem_recovery_write needs page-aligned ranges)`)
      return done
    }
    sim.poisoned.delete(pfn)
    notes.push(`dax_iomap_iter: -EHWPOISON at index ${index}, DAX_RECOVERY_WRITE; pmem_recovery_write: bad block and PageHWPoison of ${sim.describePfn(pfn)} cleared`)
  }
  return length
}

/** Is this folio idle for the wait? dax_page_is_idle(): refcount 1 before 6.15, 0 from 6.15 (and in the 2022 proposal's 23/25). */
export function idle(sim: Simulation, pfn: number): boolean {
  return sim.folios.refcount[sim.folios.folio(pfn)] === sim.kernel.fsdaxIdleRefcount
}

/**
 * The busy scan of one layout-break pass: unmap, then find the first busy page.
 * 6.15+ dax_layout_busy_page_range(): busy when folio_ref_count - folio_mapcount != 0.
 * 6.14: returns NULL when !mapping_mapped(); busy when a page's refcount > 1; fuse scanned index 0 only.
 */
function busyPage(sim: Simulation, file: DaxFile, notes: string[] | undefined): number | undefined {
  const to = busyScanEnd(sim, file, notes)
  if (to === undefined) return undefined
  sim.unmapMappingPages(file, 0, to, C.daxLayoutBusyPage)
  for (const entry of file.entriesIn(0, to)) {
    const busy = entryBusyPage(sim, entry)
    if (busy !== undefined) return busy
  }
  return undefined
}

/**
 * The end (exclusive file index) of the range one busy scan unmaps and walks, or undefined when the
 * 6.14 scan returns at once (!mapping_mapped()). Shared with the interleaving explorer's layout break.
 */
export function busyScanEnd(sim: Simulation, file: DaxFile, notes: string[] | undefined): number | undefined {
  const legacy = !sim.kernel.on('fsdax-refcount')
  let to = ALL
  if (legacy && file.fs.fsType === 'virtiofs' && sim.kernel.fuseBreaksOnlyIndexZero) {
    to = 1
    notes?.push('fuse_dax_break_layouts(inode, 0, 0): only index 0 is unmapped and scanned (fixed in 6.15)')
  }
  if (legacy && sim.kernel.busyScanNeedsMapping && !file.iMmap.mapped) {
    notes?.push('dax_layout_busy_page: !mapping_mapped(), no scan (fixed in 6.15)')
    return undefined
  }
  return to
}

/** dax_busy_page() on one entry: the head of its first busy folio, or undefined (rule: busyPage). */
export function entryBusyPage(sim: Simulation, entry: DaxEntry): number | undefined {
  if (entry.pfn === undefined) return undefined
  if (sim.kernel.on('fsdax-refcount')) {
    const folio = sim.folios.folio(entry.pfn)
    return sim.folios.refcount[folio]! - sim.folios.mapcount[folio]! !== 0 ? sim.folios.head[folio]! : undefined
  }
  // 2022 proposal: dax_zap_pages() releases the entry's request before the idle check.
  releaseEntry(sim, entry)
  for (const folio of sim.folios.touchedIn(entry.pfn, entry.pfn + 2 ** entry.order)) {
    if (sim.folios.refcount[folio]! > sim.kernel.fsdaxIdleRefcount) return sim.folios.head[folio]!
  }
  return undefined
}

/** dax_break_layout() (interruptible) / dax_break_layout_final() (uninterruptible) and the 6.14 loops. */
export function breakLayout(sim: Simulation, file: DaxFile, final: boolean, notes: string[] | undefined, then: () => OpOutcome): OpOutcome {
  const pass = (): OpOutcome => {
    const busy = busyPage(sim, file, notes)
    if (busy === undefined) return then()
    const reason = final
      ? `dax_break_layout_final: wait_page_idle_uninterruptible on ${sim.describePfn(busy)}`
      : !sim.kernel.on('common-layout-break')
        ? `${LEGACY_BREAK_LAYOUTS[file.fs.fsType]}: ___wait_var_event(&page->_refcount == 1) on ${sim.describePfn(busy)}`
        : `dax_break_layout: wait_page_idle on ${sim.describePfn(busy)}`
    const wait = (): OpOutcome => (idle(sim, busy) ? pass() : { status: 'blocked', waitOn: busy, reason, interruptible: !final, resume: wait })
    return wait()
  }
  return pass()
}

/** Entry removal: 6.15+ dax_delete_mapping_range(); 6.14 truncate_inode_pages_range -> dax_delete_mapping_entry. */
export function deleteEntries(sim: Simulation, file: DaxFile, from: number, to: number, cause: string): void {
  const legacy = !sim.kernel.on('fsdax-refcount')
  for (const entry of file.entriesIn(from, to)) {
    file.entries.delete(entry.index)
    if (entry.pfn === undefined) continue
    if (legacy) {
      // 2022 proposal, "fsdax: Validate DAX layouts broken before truncate" (v3): WARN_ON_ONCE(trunc &&
      // !dax_is_zapped(entry)); the request's reference is then never dropped.
      if (requestsFolios(sim) && !entryZapped(entry)) {
        sim.trace.violation('kernel_warning', `WARN_ON_ONCE in dax_disassociate_entry (${cause}): entry at index ${entry.index} was never zapped, its pgmap_request_folios reference leaks`, entry.pfn, 'WARN splat, then a leaked page reference and pgmap reference: the page never reads idle again')
      }
      // dax_disassociate_entry(): WARN_ON_ONCE(trunc && page_ref_count(page) > 1); page->mapping = NULL.
      for (const folio of sim.folios.touchedIn(entry.pfn, entry.pfn + 2 ** entry.order)) {
        if (sim.folios.refcount[folio]! > sim.kernel.fsdaxIdleRefcount) {
          sim.trace.violation('kernel_warning', `WARN_ON_ONCE in dax_disassociate_entry (${cause}): page ${hex(sim.folios.head[folio]!)} still has refcount ${sim.folios.refcount[folio]!}`, sim.folios.head[folio]!)
        }
      }
      continue
    }
    // dax_disassociate_entry() -> dax_folio_put(): mapping = NULL and split a large folio back to order 0.
    const folio = sim.folios.folio(entry.pfn)
    sim.folios.split(folio, `${cause}: dax_folio_put -> folio_reset_order`)
  }
}

/** The filesystem frees blocks; a page still referenced by GUP is DMA into a freed block. */
export function releaseBlocks(sim: Simulation, file: DaxFile, from: number, to: number, cause: string): void {
  for (const ext of file.removeBlocks(from, to)) {
    sim.trace.emit(EventKind.BLOCK_FREE, ext.pfn, ext.count, 0, cause)
    for (const folio of sim.folios.touchedIn(ext.pfn, ext.pfn + ext.count)) {
      if (sim.folios.gupRefs[folio]! > 0) {
        sim.trace.violation(
          'dma_after_release',
          `${cause}: block ${sim.describePfn(sim.folios.head[folio]!)} of ${file.path} released while ${sim.folios.gupRefs[folio]!} GUP reference(s) may still DMA into it`,
          sim.folios.head[folio]!,
        )
      }
      if (sim.folios.mapcount[folio]! > 0) sim.trace.violation('freed_while_mapped', `${cause}: block ${hex(sim.folios.head[folio]!)} released while mapped`, sim.folios.head[folio]!)
    }
    file.fs.allocator.release(ext.pfn, ext.count)
  }
}

export function truncate(sim: Simulation, args: StepArgs<'truncate'>, notes: string[]): OpOutcome {
  const file = sim.file(args.file)
  return breakLayout(sim, file, false, notes, () => truncateAfterBreak(sim, file, args.length))
}

/** What truncate does once the layout is broken (also the explorer's last truncate step). */
export function truncateAfterBreak(sim: Simulation, file: DaxFile, length: number): OpOutcome {
  const page = sim.arch.pageSize
  if (sim.kernel.on('always-remove-entries')) deleteEntries(sim, file, 0, ALL, 'dax_break_layout')
  // truncate_setsize() + truncate_pagecache(): unmap and drop everything from the new EOF on.
  const newEnd = Math.ceil(length / page)
  sim.unmapMappingPages(file, newEnd, ALL, C.truncatePagecacheUnmapMapping)
  if (!sim.kernel.on('always-remove-entries')) deleteEntries(sim, file, newEnd, ALL, 'truncate_inode_pages')
  file.size = length
  releaseBlocks(sim, file, newEnd, ALL, 'truncate')
  return OK
}

export function punchHole(sim: Simulation, args: StepArgs<'punch_hole'>, notes: string[]): OpOutcome {
  const file = sim.file(args.file)
  return breakLayout(sim, file, false, notes, () => punchHoleAfterBreak(sim, file, args.offset, args.length))
}

/** What punch_hole does once the layout is broken (also the explorer's last punch_hole step). */
export function punchHoleAfterBreak(sim: Simulation, file: DaxFile, offset: number, length: number): OpOutcome {
  const page = sim.arch.pageSize
  // Only whole pages lose their blocks; partial pages at the edges are zeroed in place.
  const from = Math.ceil(offset / page)
  const to = Math.min(Math.floor((offset + length) / page), Math.ceil(file.size / page))
  if (sim.kernel.on('always-remove-entries')) deleteEntries(sim, file, 0, ALL, 'dax_break_layout')
  if (to > from) {
    sim.unmapMappingPages(file, from, to, C.truncatePagecacheRangeUnmap)
    if (!sim.kernel.on('always-remove-entries')) deleteEntries(sim, file, from, to, 'truncate_inode_pages_range')
    releaseBlocks(sim, file, from, to, 'punch_hole')
  }
  return OK
}

/** Inode eviction: 6.15+ ext4/xfs/fuse evict call dax_break_layout_final() first; 6.14 waits for nothing. */
function evict(sim: Simulation, file: DaxFile, freeBlocks: boolean): OpOutcome {
  const finish = (): OpOutcome => {
    deleteEntries(sim, file, 0, ALL, sim.kernel.finalLayoutBreak ? 'dax_break_layout_final' : 'truncate_inode_pages_final')
    if (freeBlocks) releaseBlocks(sim, file, 0, ALL, 'evict (unlinked inode)')
    file.evicted = true
    return OK
  }
  return sim.kernel.finalLayoutBreak ? breakLayout(sim, file, true, undefined, finish) : finish()
}

export function unlink(sim: Simulation, args: StepArgs<'unlink'>, notes: string[]): OpOutcome {
  const file = sim.file(args.file)
  file.fs.files.delete(args.file)
  file.unlinked = true
  if (file.mappings > 0) {
    notes.push(`inode kept alive by ${file.mappings} mapping(s); evicted at the last munmap`)
    return OK
  }
  return evict(sim, file, true)
}

/** The last file reference from a VMA: an unlinked inode is evicted by the task dropping it. */
export function dropFileRef(sim: Simulation, file: DaxFile): OpOutcome {
  file.mappings -= 1
  if (file.mappings === 0 && file.unlinked && !file.evicted) return evict(sim, file, true)
  return OK
}

export function umount(sim: Simulation, args: StepArgs<'umount'>, notes: string[]): OpOutcome {
  const fs = sim.filesystems.find((f) => f.mount === args.mount)
  if (!fs) throw new SimError('EINVAL', `'${args.mount}' is not a DAX mount of this profile`)
  if (!fs.mounted) throw new SimError('EINVAL', `${args.mount} is not mounted`)
  const busy = [...fs.files.values()].find((f) => f.mappings > 0)
  if (busy) throw new SimError('EBUSY', `${busy.path} is still mapped`)
  const files = [...fs.files.values()].filter((f) => !f.evicted)
  const next = (rest: DaxFile[]): OpOutcome => {
    const [file, ...more] = rest
    return file ? andThen(evict(sim, file, false), () => next(more)) : finishUmount(sim, fs, notes)
  }
  return next(files)
}

/** After the last inode: every page of the filesystem should be idle (6.15 "Ensure all pages are idle prior to filesystem unmount"). */
function finishUmount(sim: Simulation, fs: DaxFs, notes: string[]): OpOutcome {
  fs.mounted = false
  for (const file of fs.files.values()) file.evicted = false
  const region = fs.region
  for (const folio of sim.folios.touchedIn(region.basePfn, region.basePfn + region.nrPages)) {
    if (sim.folios.gupRefs[folio]! > 0 || sim.folios.refcount[folio]! !== region.idleRefcount(sim.kernel)) {
      sim.trace.violation(
        'not_idle_at_unmount',
        `${fs.mount} unmounted while page ${sim.describePfn(sim.folios.head[folio]!)} has refcount ${sim.folios.refcount[folio]!} (${sim.folios.gupRefs[folio]!} GUP reference(s) outstanding)`,
        sim.folios.head[folio]!,
      )
    }
  }
  notes.push(`${fs.mount} unmounted`)
  return OK
}
