/** mmap, munmap, fork, exit and mlock. */
import type { StepArgs } from '../../formats/scenario'
import type { DaxFile } from '../daxfs'
import { alignBytes } from '../memory'
import { newTables, type Task, type Vma } from '../mm'
import { iMmapOf, setProtRelinking, unlinkVma } from '../i-mmap'
import { ModelError } from '../errors'
import { SimError, type Simulation } from '../sim'
import { PteCounts } from '../pte-counts'
import { handleFault } from './fault'
import { dropFileRef } from './layout'
import { andThen, OK, type OpOutcome } from './outcome'
import { cause } from '../causes'
import { mmapAnon } from './anon'
import { forkDeviceLeaf, isDeviceLeaf } from './device-leaf'
import { mmapP2pmem } from './p2pdma'
import { fullyUnmapped, protAt, setProt } from '../vma-prot'
import { vmNormalPage } from '../normal-page'
import { maySplit, splitHugeLeaves, userRange } from './vma-range'

/** Causes this file writes, interned once. */
const C = {
  munmapUnmapRegion: cause('munmap: unmap_region'),
  dupRmapGet: cause('copy_present_ptes: folio_try_dup_file_rmap (folio_get)'),
  dupRmap: cause('copy_present_ptes: folio_try_dup_file_rmap'),
  exitMmap: cause('exit_mmap'),
}

export function mmap(sim: Simulation, task: Task, args: StepArgs<'mmap'>, notes: string[]): OpOutcome {
  const page = sim.arch.pageSize
  if (task.vmas.has(args.id)) throw new SimError('EINVAL', `task ${task.name} already has a mapping '${args.id}'`)
  if (args.offset % page !== 0) throw new SimError('EINVAL', `offset ${args.offset} is not a multiple of the page size ${page}`)
  if (args.length === 0) throw new SimError('EINVAL', 'length is 0')
  const length = Math.ceil(args.length / page) * page
  if (args.file !== undefined) {
    const file = sim.file(args.file)
    let sync = args.sync
    if (sync && !args.shared) {
      notes.push('MAP_SYNC is ignored without MAP_SHARED_VALIDATE (MAP_PRIVATE)')
      sync = false
    }
    // MAP_SYNC needs FOP_MMAP_SYNC: ext4 and xfs set it for DAX files, fuse does not.
    if (sync && file.fs.fsType === 'virtiofs') throw new SimError('EOPNOTSUPP', 'MAP_SYNC is not supported by virtiofs')
    const start = task.allocateVa(length, args.offset, sim.arch.pmdSize)
    // fs/fuse/dax.c fuse_dax_mmap(): VM_MIXEDMAP | VM_HUGEPAGE; ext4/xfs set only VM_HUGEPAGE.
    const mixedmap = file.fs.fsType === 'virtiofs'
    const vma = newVma(sim, args.id, start, length, args.offset / page, args.shared, sync, { file }, mixedmap)
    if (args.prot && args.prot !== 'read-write') setProt(vma, vma.start, vma.end, args.prot)
    task.vmas.set(args.id, vma)
    file.iMmap.insert(vma)
    file.mappings += 1
    return OK
  }
  if (args.device === undefined) return mmapAnon(sim, task, args, notes)
  const region = sim.region(args.device)
  const def = region.def
  if (def.type === 'p2pdma') return mmapP2pmem(sim, task, region, args, notes)
  if (def.type === 'device-private' || def.type === 'device-coherent') {
    // Device memory is reached by migrating anonymous memory to it (migrate), not by mapping the device.
    throw new SimError('ENODEV', `device: region '${region.name}' is ${def.type} memory, which has no mmap; map anonymous memory and migrate it`)
  }
  if (def.type !== 'devdax') {
    throw new ModelError(`step maps region '${region.name}' of type ${def.type}: system RAM is reached through anonymous mappings (no file or device)`)
  }
  // check_vma(): !dax_alive(dev_dax) -> -ENXIO once the instance is unbound.
  if (!region.alive) throw new SimError('ENXIO', `check_vma: device-dax '${region.name}' is unbound`)
  const align = alignBytes(def.align)
  // drivers/dax/device.c check_vma(): private mappings and VMAs not aligned to dev_dax->align are refused.
  if (!args.shared) throw new SimError('EINVAL', 'check_vma: device-dax mappings must be MAP_SHARED')
  if (length % align !== 0) throw new SimError('EINVAL', `check_vma: length is not a multiple of the device align ${def.align}`)
  // dax_get_unmapped_area() gives the address the offset's colour modulo align, so an unaligned offset
  // means an unaligned vm_start, which check_vma() refuses.
  if (args.offset % align !== 0) throw new SimError('EINVAL', `check_vma: offset is not a multiple of the device align ${def.align}, so vm_start cannot be aligned`)
  if (args.sync) notes.push('MAP_SYNC on device DAX: accepted, no effect (no filesystem metadata)')
  const start = task.allocateVa(length, args.offset, Math.max(align, sim.arch.pmdSize))
  const vma = newVma(sim, args.id, start, length, args.offset / page, true, args.sync, { device: region })
  if (args.prot && args.prot !== 'read-write') setProt(vma, vma.start, vma.end, args.prot)
  task.vmas.set(args.id, vma)
  region.iMmap.insert(vma)
  return OK
}

export function newVma(sim: Simulation, id: string, start: number, length: number, pgoff: number, shared: boolean, sync: boolean, backing: Pick<Vma, 'file' | 'device'>, mixedmap = false): Vma {
  const base = (size: number | undefined) => (size === undefined ? 0 : Math.floor(start / size))
  const tableBase = { pte: base(sim.arch.pageSize), pmd: base(sim.arch.pmdSize), pud: base(sim.arch.pudSize) }
  return { id, start, end: start + length, pgoff, shared, sync, anonVma: false, mixedmap, tables: newTables(), tableBase, ptesPerPmd: new PteCounts(), ...backing }
}

export function access(sim: Simulation, task: Task, args: StepArgs<'access'>, notes: string[]): OpOutcome {
  const vma = sim.vma(task, args.map)
  const addr = vma.start + args.offset
  if (addr >= vma.end) return { status: 'ok', signal: 'SIGSEGV', message: `offset ${args.offset} is past the end of mapping '${args.map}'` }
  // arch/x86/mm/fault.c do_user_addr_fault(): no VMA -> bad_area_nosemaphore (SEGV_MAPERR);
  // access_error() (a write without VM_WRITE, anything without VM_READ) -> bad_area_access_error
  // (SEGV_ACCERR). arm64 do_page_fault() makes the same two choices.
  const prot = protAt(vma, addr)
  if (prot === 'unmapped') return { status: 'ok', signal: 'SIGSEGV', si_code: 'SEGV_MAPERR', message: `offset ${args.offset} of '${args.map}' was munmapped` }
  if (prot === 'none' || (args.write && prot === 'read')) {
    return { status: 'ok', signal: 'SIGSEGV', si_code: 'SEGV_ACCERR', message: `${args.write ? 'write' : 'read'} to a PROT_${prot === 'none' ? 'NONE' : 'READ'} page` }
  }
  const signal = handleFault(sim, vma, addr, args.write, args.size, notes)
  return signal ? { status: 'ok', signal } : OK
}

/**
 * munmap(): zap the VMA, then drop its file reference (the final one evicts an unlinked inode). With
 * offset/length only that part goes (mm/vma.c do_vmi_align_munmap: __split_vma at each edge, which
 * splits a huge leaf straddling it, then unmap_region over the part); the mapping keeps its id for
 * what is left, and the file reference goes with the last piece.
 */
export function munmap(sim: Simulation, task: Task, args: StepArgs<'munmap'>, notes: string[] = []): OpOutcome {
  const vma = sim.vma(task, args.map)
  if (args.offset !== undefined || args.length !== undefined) {
    const range = userRange(sim, vma, 'munmap', args.offset ?? 0, args.length)
    maySplit(sim, vma, 'munmap', range)
    const split = splitHugeLeaves(sim, vma, range)
    if (split > 0) notes.push(`__split_huge_pmd: ${split} huge leaf(s) across the edge zapped`)
    sim.zapRange(vma, range.from, range.to, C.munmapUnmapRegion)
    setProtRelinking(vma, range.from, range.to, 'unmapped', sim.arch.pageSize)
    if (!fullyUnmapped(vma)) return OK
  } else {
    sim.zapRange(vma, vma.start, vma.end, C.munmapUnmapRegion)
  }
  unlinkVma(task, vma)
  return vma.file ? dropFileRef(sim, vma.file) : OK
}

/**
 * munlock(): mm/mlock.c mlock_fixup() leaves DAX VMAs alone (`vma_is_dax(vma)` is among the cases that
 * never set VM_LOCKED), so there is nothing to clear: no page was mlocked, no reference moves.
 */
export function munlock(sim: Simulation, task: Task, args: StepArgs<'munlock'>, notes: string[]): OpOutcome {
  sim.vma(task, args.map)
  notes.push('mlock_fixup: DAX VMA, VM_LOCKED was never set; nothing to unlock')
  return OK
}

/**
 * fork(): copy_page_range() copies entries only where vma_needs_copy() says so (VM_PFNMAP|VM_MIXEDMAP,
 * or an anon_vma); a shared ext4/xfs DAX VMA is skipped (the child refaults), a virtiofs one
 * (VM_MIXEDMAP) is copied. Copied refcounted DAX entries take folio_try_dup_file_rmap (+1 ref, +1 map);
 * legacy devmap entries are copied raw (vm_normal_page() is NULL for them).
 */
export function fork(sim: Simulation, parent: Task, args: StepArgs<'fork'>, notes: string[]): OpOutcome {
  if (sim.tasks.has(args.child)) throw new SimError('EEXIST', `task '${args.child}' already exists`)
  const child = sim.task(args.child)
  for (const vma of parent.vmas.values()) {
    const copy = newVma(sim, vma.id, vma.start, vma.end - vma.start, vma.pgoff, vma.shared, vma.sync, { file: vma.file, device: vma.device }, vma.mixedmap)
    copy.anonVma = vma.anonVma
    copy.thp = vma.thp
    if (vma.prot) copy.prot = [...vma.prot]
    child.vmas.set(vma.id, copy)
    iMmapOf(vma)?.insertAfter(copy, vma)
    if (vma.file) vma.file.mappings += 1
    if (!vma.anonVma && !vma.mixedmap) {
      notes.push(`${vma.id}: not copied (vma_needs_copy: no VM_MIXEDMAP, no anon_vma)`)
      continue
    }
    // copy_page_range() walks the parent's entries in address order (copy_pte_range, copy_pmd_range).
    for (const leaf of sim.leavesInOrder(vma, vma.start, vma.end)) {
      const level = leaf.level
      if (leaf.kind === 'anon' && !vma.shared) {
        // COW: both sides lose write access (a shared anonymous mapping is shmem: no COW).
        leaf.write = false
        leaf.raw = sim.arch.encode(level, leaf.pfn, leaf)
      } else if (isDeviceLeaf(leaf)) forkDeviceLeaf(sim, vma, leaf)
      sim.setLeaf(copy, { ...leaf })
      // copy_present_pte(): `page = vm_normal_page(src_vma, addr, pte); ... if (page) { folio_get;
      // folio_dup_file_rmap_pte }` (normal-page.ts); huge leaves as zapLeaf decides them.
      const page = level === 'pte' ? vmNormalPage(sim, leaf) : leaf.counted ? leaf.pfn : undefined
      if (page !== undefined && leaf.kind === 'dax') {
        const folio = sim.folios.folio(page)
        sim.folios.ref(folio, 1, C.dupRmapGet)
        sim.folios.map(folio, 1, C.dupRmap)
      }
    }
    notes.push(`${vma.id}: entries copied (${vma.mixedmap ? 'VM_MIXEDMAP' : 'anon_vma present'})`)
  }
  return OK
}

/** exit_mmap(): every VMA is zapped; file references are dropped (possibly evicting unlinked inodes). */
export function exit(sim: Simulation, task: Task): OpOutcome {
  const files = []
  for (const vma of task.vmas.values()) {
    sim.zapRange(vma, vma.start, vma.end, C.exitMmap)
    iMmapOf(vma)?.remove(vma)
    if (vma.file) files.push(vma.file)
  }
  task.vmas.clear()
  task.exited = true
  return dropAll(sim, files)
}

/** Drops each file reference in turn; an eviction that waits holds up the rest. */
function dropAll(sim: Simulation, files: DaxFile[]): OpOutcome {
  const [file, ...rest] = files
  return file ? andThen(dropFileRef(sim, file), () => dropAll(sim, rest)) : OK
}

/**
 * mlock(): mlock_fixup() skips DAX VMAs (VM_LOCKED is never set) but do_mlock() still runs
 * __mm_populate(), which faults every page not yet mapped; a failed fault is -ENOMEM.
 * populate_vma_page_range() (mm/gup.c, 6.1 through 6.17): `if ((vma->vm_flags & (VM_WRITE | VM_SHARED))
 * == VM_WRITE) gup_flags |= FOLL_WRITE;` (with FOLL_FORCE), so a private writable mapping is populated
 * by write faults: COW is broken at once (anon copies, even over holes) instead of mapping the DAX page
 * or the zero page read-only. A private mapping is VM_WRITE where its protection is read-write (mmap
 * `prot`, mprotect); a shared one is populated by read faults.
 */
export function mlock(sim: Simulation, task: Task, args: StepArgs<'mlock'>, notes: string[]): OpOutcome {
  const vma = sim.vma(task, args.map)
  // At least one leaf per largest leaf size over the part of the VMA that can be faulted in (up to
  // EOF or the end of the device): refuse at once what the step budget cannot cover.
  const page = sim.arch.pageSize
  const backed = vma.file ? Math.ceil(vma.file.size / page) - vma.pgoff : vma.device ? vma.device.nrPages - vma.pgoff : 0
  const reachable = Math.max(0, Math.min(vma.end - vma.start, backed * page))
  const largest = vma.file ? (sim.arch.pmdLeaves ? sim.arch.pmdSize : page) : (sim.arch.pudSize ?? (sim.arch.pmdLeaves ? sim.arch.pmdSize : page))
  sim.work.require(Math.ceil(reachable / largest), `__mm_populate of ${reachable} bytes (at least ${Math.ceil(reachable / largest)} page-table entries)`)
  let addr = vma.start
  let faults = 0
  let anyWrite = false
  while (addr < vma.end) {
    sim.work.charge(1, '__mm_populate')
    // populate_vma_page_range() per kernel VMA: PROT_NONE parts fail check_vma_flags and do_mlock()
    // ignores the error (__mm_populate(ignore_errors)); unmapped parts are not VMAs at all.
    const prot = protAt(vma, addr)
    if (prot === 'none' || prot === 'unmapped') {
      addr = nextRangeStart(vma, addr)
      continue
    }
    const write = !vma.shared && prot === 'read-write'
    anyWrite ||= write
    let hit = sim.lookup(vma, addr)
    // FOLL_WRITE on a present read-only entry: follow_page fails, faultin_page() write-faults (COW).
    if (!hit || (write && !hit.write)) {
      const faultNotes: string[] = []
      const signal = handleFault(sim, vma, addr, write, 'auto', faultNotes)
      faults += 1
      if (signal) throw new SimError('ENOMEM', `__mm_populate: fault at offset ${addr - vma.start} delivered ${signal}`)
      hit = sim.lookup(vma, addr)
      if (!hit) break
    }
    const size = sim.levelSizeOrZero(hit.level)
    addr = (hit.index + 1) * size
  }
  notes.push(`mlock_fixup: DAX VMA left without VM_LOCKED; __mm_populate faulted ${faults} entries${anyWrite ? ' (FOLL_WRITE: private writable mapping, COW broken)' : ''}`)
  return OK
}

/** Where the protection range holding addr ends (the next kernel VMA starts). */
function nextRangeStart(vma: Vma, addr: number): number {
  return vma.prot?.find((r) => addr >= r.start && addr < r.end)?.end ?? vma.end
}

