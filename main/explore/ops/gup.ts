/**
 * get_user_pages / pin_user_pages as atomic steps (mm/gup.c, 6.14 through 6.17).
 *
 * GUP-fast, per page (gup_fast_pte_range / gup_fast_pmd_leaf; irqs off, no lock):
 *   1. read the entry (ptep_get_lockless); bail to the slow path on what GUP-fast refuses;
 *   2. try_grab_folio_fast(): folio_ref_try_add, which fails on a folio whose count is 0 (a
 *      refcounted DAX folio already freed), then the FOLL_PIN bias or _pincount; legacy DAX first takes
 *      get_dev_pagemap() (pte_devmap branch, held to the end of the walk, put at pte_unmap);
 *   3. re-check the entry (pte_val(pte) != pte_val(ptep_get(ptep))): changed -> gup_put_folio() and
 *      fall back; unchanged -> the page is the caller's.
 * GUP slow for the rest (__get_user_pages under mmap_read_lock): follow the entry; if there is none,
 * faultin_page() (the DAX fault under invalidate_lock shared and the entry lock, then the loop follows
 * again); follow_page_pte(): try_grab_folio() under the PTL.
 * Only FOLL_GET/FOLL_PIN without FOLL_LONGTERM/FOLL_PCI_P2PDMA are split; those run as one step
 * through the engine's gup (main/sim/ops/gup.ts), as do GUPs on device DAX.
 */
import type { StepArgs } from '../../formats/scenario'
import { cause } from '../../sim/causes'
import { hex, type Folio } from '../../sim/folios'
import type { Pgmap } from '../../sim/memory'
import type { Leaf, Vma } from '../../sim/mm'
import { handleFault } from '../../sim/ops/fault'
import { addGupRefs, GRAB_CAUSES, gupWork, pagesPerGrab, pushHeads, putGupRefs, type PutCauses } from '../../sim/ops/gup'
import { gupRecord, SimError, type GupRecord, type Simulation } from '../../sim/sim'
import { continueWith, done, type Atomic, type AtomicEnd, type OpContext } from '../atomic'
import type { LockTable } from '../locks'
import { entryLock, invalidateLock, mmapLock } from '../locks'
import { gupRunsKey } from '../state-key'
import { irqsOff } from '../tlb-fence'

const SRC = {
  read: 'mm/gup.c gup_fast_pte_range / gup_fast_pmd_leaf: ptep_get_lockless (6.14-6.17)',
  grab: 'mm/gup.c try_grab_folio_fast -> try_get_folio: folio_ref_try_add (6.11-6.17); legacy pte_devmap: get_dev_pagemap (<= 6.14)',
  recheck: 'mm/gup.c gup_fast_pte_range: pte_val(pte) != pte_val(ptep_get(ptep)) -> gup_put_folio (6.14-6.17)',
  lock: 'mm/gup.c __get_user_pages_locked: mmap_read_lock (6.14-6.17)',
  fault: 'mm/gup.c faultin_page -> handle_mm_fault -> fs/dax.c dax_iomap_fault (invalidate_lock shared, grab_mapping_entry)',
  follow: 'mm/gup.c follow_page_pte: try_grab_folio under the PTL (6.14-6.17)',
  unlock: 'mm/gup.c __get_user_pages_locked: mmap_read_unlock',
}

const C = {
  fastGetPgmap: cause('gup_fast_pte_range: get_dev_pagemap'),
  fastPutPgmap: cause('gup_fast_pte_range: put_dev_pagemap'),
  slowGetPgmap: cause('follow_page_pte: get_dev_pagemap (ctx->pgmap)'),
  slowPutPgmap: cause('__get_user_pages: put_dev_pagemap(ctx.pgmap)'),
}

/** The walk's state, carried from step to step (its text is part of each step's key). */
interface Walk {
  readonly vma: Vma
  readonly record: GupRecord
  readonly first: number
  page: number
  fastPgmap?: Pgmap
  slowPgmap?: Pgmap
  /** The pfn the last GUP-fast entry read found (the page that step read: racing marks). */
  readPfn?: number
}

const walkKey = (w: Walk) => `${w.record.id}@${w.page}:${gupRunsKey(w.record)}:${w.fastPgmap ? 'fp' : ''}${w.slowPgmap ? 'sp' : ''}`

/** Whether this GUP is split into atomic steps (see the header); otherwise it runs as one step. */
export function splitsGup(ctx: OpContext, args: StepArgs<'gup'>): boolean {
  const vma = ctx.task.vmas.get(args.map)
  return !args.longterm && !args.p2pdma && vma?.file !== undefined
}

export function gupSteps(ctx: OpContext, args: StepArgs<'gup'>): Atomic {
  let started: Walk | undefined
  return {
    reads: () => (started?.readPfn !== undefined ? [started.readPfn] : []),
    label: args.fast ? 'gup-fast: read entry' : 'gup: start',
    source: args.fast ? SRC.read : SRC.lock,
    key: `gup-start:${args.id}`,
    run: (ctx) => {
      const { sim, task } = ctx
      if (sim.gups.has(args.id)) throw new SimError('EINVAL', `gup id '${args.id}' is already in use`)
      const vma = sim.vma(task, args.map)
      const page = sim.arch.pageSize
      if (args.offset % page !== 0) throw new SimError('EINVAL', `offset ${args.offset} is not page aligned`)
      const first = vma.start + args.offset
      if (first + args.pages * page > vma.end) throw new SimError('EFAULT', `${args.pages} pages from offset ${args.offset} run past the end of mapping '${args.map}'`)
      sim.work.require(args.pages, gupWork)
      const walk: Walk = { vma, first, page: 0, record: gupRecord(args.id, task.name, args.pin) }
      started = walk
      // The first entry read is part of this step (nothing another task does in between matters).
      return args.fast ? fastRead(args, walk).run(ctx) : continueWith(slowLock(args, walk))
    },
  }
}

function addrOf(sim: Simulation, w: Walk): number {
  return w.first + w.page * sim.arch.pageSize
}

/** What GUP-fast refuses and leaves to the slow path (mm/gup.c gup_fast_pte_range/pmd_leaf checks). */
function fastBail(sim: Simulation, args: StepArgs<'gup'>, leaf: Leaf | undefined): string | undefined {
  if (!leaf) return 'not mapped'
  if (args.write && !leaf.write) return 'FOLL_WRITE on a read-only entry'
  if (leaf.kind !== 'dax') return leaf.kind === 'zero' ? 'special zero page' : 'anon COW page'
  if (sim.kernel.on('fsdax-refcount') && leaf.special) return `${leaf.level}_special (6.15/6.16 DAX huge leaf)`
  return undefined
}

function fastRead(args: StepArgs<'gup'>, w: Walk): Atomic {
  return {
    label: 'gup-fast: read entry',
    source: SRC.read,
    key: `gup-fast-read:${walkKey(w)}`,
    reads: () => (w.readPfn !== undefined ? [w.readPfn] : []),
    run: ({ sim, notes, locks, task }) => {
      w.readPfn = undefined
      // local_irq_save() for the whole fast walk (released in endFastWalk).
      locks.take(task.name, [irqsOff(task.name)])
      if (w.page >= args.pages) return finishFast(sim, args, w, locks)
      const addr = addrOf(sim, w)
      const leaf = sim.lookup(w.vma, addr)
      const bail = fastBail(sim, args, leaf)
      if (bail) {
        notes.push(`gup-fast bailed at page ${w.page}: ${bail}; slow path`)
        endFastWalk(sim, w, locks)
        return continueWith(slowLock(args, w))
      }
      w.readPfn = sim.pfnAt(leaf!, addr)
      // gup_fast_pmd_leaf() (6.17) grabs every page of the range inside a huge leaf at once. A PTE is one
      // page, found without touching the folio table (the grab step looks the folio up, as before).
      const refs = leaf!.level === 'pte' ? 1 : pagesPerGrab(sim, w.vma, leaf!, sim.folios.folio(w.readPfn), w.readPfn, addr, args.pages - w.page)
      return continueWith(fastGrab(args, w, leaf!, w.readPfn, refs))
    },
  }
}

/** pte_unmap / the end of gup_fast: the legacy walk's dev_pagemap reference goes. */
function endFastWalk(sim: Simulation, w: Walk, locks: LockTable): void {
  if (w.fastPgmap) sim.folios.pgmapRef(w.fastPgmap, -1, C.fastPutPgmap)
  w.fastPgmap = undefined
  locks.release(w.record.task, irqsOff(w.record.task).name)
}

function fastGrab(args: StepArgs<'gup'>, w: Walk, seen: Leaf, pfn: number, refs: number): Atomic {
  return {
    label: 'gup-fast: try_grab_folio_fast',
    source: SRC.grab,
    key: `gup-fast-grab:${walkKey(w)}:${hex(pfn)}:${seen.raw}:${refs}`,
    reads: () => [pfn],
    run: ({ sim, notes, locks }) => {
      const folio = sim.folios.folio(pfn)
      const pgmap = sim.folios.region(folio).pgmap
      if (!sim.kernel.on('fsdax-refcount') && !w.fastPgmap && pgmap) {
        w.fastPgmap = pgmap
        sim.folios.pgmapRef(pgmap, 1, C.fastGetPgmap)
      }
      // folio_ref_try_add(): a folio at refcount 0 is free; GUP-fast gives up (and the slow path refaults).
      if (sim.folios.refcount[folio]! <= 0) {
        notes.push(`gup-fast: try_grab_folio_fast failed at page ${w.page} (folio ${hex(sim.folios.head[folio]!)} has refcount 0); slow path`)
        endFastWalk(sim, w, locks)
        return continueWith(slowLock(args, w))
      }
      take(sim, folio, args.pin, 'fast', refs)
      return continueWith(fastRecheck(args, w, seen, folio, refs))
    },
  }
}

function fastRecheck(args: StepArgs<'gup'>, w: Walk, seen: Leaf, folio: Folio, refs: number): Atomic {
  return {
    label: 'gup-fast: re-check entry',
    source: SRC.recheck,
    key: `gup-fast-recheck:${walkKey(w)}:${folio}:${seen.raw}:${refs}`,
    run: ({ sim, notes, locks }) => {
      const now = sim.lookup(w.vma, addrOf(sim, w))
      if (!now || now.raw !== seen.raw || now.level !== seen.level) {
        // The entry changed under us (zapped, or re-faulted): drop the transient reference, fall back.
        drop(sim, folio, args.pin, refs)
        notes.push(`gup-fast: entry at page ${w.page} changed after try_grab_folio_fast; gup_put_folio, slow path`)
        endFastWalk(sim, w, locks)
        return continueWith(slowLock(args, w))
      }
      keep(sim, w, folio, refs)
      w.page += refs
      return continueWith(fastRead(args, w))
    },
  }
}

function finishFast(sim: Simulation, args: StepArgs<'gup'>, w: Walk, locks: LockTable): AtomicEnd {
  endFastWalk(sim, w, locks)
  return store(sim, args, w)
}

function store(sim: Simulation, args: StepArgs<'gup'>, w: Walk): AtomicEnd {
  sim.gups.set(args.id, w.record)
  return done({ status: 'ok', message: `${w.record.pages} pages ${args.pin ? 'pinned' : 'referenced'}` })
}

function slowLock(args: StepArgs<'gup'>, w: Walk): Atomic {
  return {
    label: 'gup-slow: mmap_read_lock',
    source: SRC.lock,
    key: `gup-slow-lock:${walkKey(w)}`,
    takes: [mmapLock(w.record.task, 'read')],
    run: () => continueWith(slowFollow(args, w)),
  }
}

function slowFollow(args: StepArgs<'gup'>, w: Walk): Atomic {
  return {
    label: 'gup-slow: follow_page_pte + try_grab_folio',
    source: SRC.follow,
    key: `gup-slow-follow:${walkKey(w)}`,
    run: ({ sim, locks, task, notes }) => {
      if (w.page >= args.pages) {
        if (w.slowPgmap) sim.folios.pgmapRef(w.slowPgmap, -1, C.slowPutPgmap)
        w.slowPgmap = undefined
        locks.release(task.name, mmapLock(task.name, 'read').name)
        return store(sim, args, w)
      }
      const addr = addrOf(sim, w)
      const hit = sim.lookup(w.vma, addr)
      if (!hit || (args.write && !hit.write)) return continueWith(slowFault(sim, args, w))
      if (hit.kind !== 'dax') {
        notes.push(`page ${w.page}: ${hit.kind} page, not tracked`)
        w.page += 1
        return continueWith(slowFollow(args, w))
      }
      const folio = sim.folios.folio(sim.pfnAt(hit, addr))
      const pgmap = sim.folios.region(folio).pgmap
      if (!sim.kernel.on('fsdax-refcount') && !w.slowPgmap && pgmap) {
        w.slowPgmap = pgmap
        sim.folios.pgmapRef(pgmap, 1, C.slowGetPgmap)
      }
      if (sim.folios.refcount[folio]! <= 0) {
        sim.trace.violation('kernel_warning', `WARN_ON_ONCE in try_grab_folio: folio ${hex(sim.folios.head[folio]!)} has refcount ${sim.folios.refcount[folio]!}`, sim.folios.head[folio]!)
        throw new SimError('ENOMEM', 'try_grab_folio on a folio with no references')
      }
      take(sim, folio, args.pin, 'slow', 1)
      keep(sim, w, folio, 1)
      // follow_huge_pmd()/follow_huge_pud() set ctx->page_mask: the rest of the huge page in one
      // try_grab_folio(folio, page_increm - 1), in the same step (no lock is dropped in between).
      const pfn = sim.pfnAt(hit, addr)
      const rest = pagesPerGrab(sim, w.vma, hit, folio, pfn, addr, args.pages - w.page) - 1
      if (rest > 0) {
        take(sim, folio, args.pin, 'rest', rest)
        keep(sim, w, folio, rest)
      }
      w.page += 1 + rest
      return continueWith(slowFollow(args, w))
    },
  }
}

/** faultin_page(): the DAX fault runs under the file's invalidate_lock (shared) and the entry lock. */
function slowFault(sim: Simulation, args: StepArgs<'gup'>, w: Walk): Atomic {
  const file = w.vma.file!
  const index = faultIndex(sim, w)
  return {
    label: 'gup-slow: faultin_page (dax_iomap_fault)',
    source: SRC.fault,
    key: `gup-slow-fault:${walkKey(w)}`,
    takes: [invalidateLock(file.path, 'read'), entryLock(file.path, index)],
    run: ({ sim, locks, task, notes }) => {
      const addr = addrOf(sim, w)
      const signal = handleFault(sim, w.vma, addr, args.write, 'auto', notes)
      locks.release(task.name, invalidateLock(file.path, 'read').name)
      locks.release(task.name, entryLock(file.path, index).name)
      if (signal) throw new SimError('EFAULT', `fault at page ${w.page} of gup '${args.id}' delivered ${signal}`)
      return continueWith(slowFollow(args, w))
    },
  }
}

function faultIndex(sim: Simulation, w: Walk): number {
  return w.vma.pgoff + (addrOf(sim, w) - w.vma.start) / sim.arch.pageSize
}

/** The pages are the caller's: the lab's DMA-in-flight count (gupRefs) and the record's runs. */
function keep(sim: Simulation, w: Walk, folio: Folio, refs: number): void {
  sim.folios.gupRefs[folio] = sim.folios.gupRefs[folio]! + refs
  pushHeads(w.record, sim.folios.head[folio]!, refs)
}

/** try_grab_folio(_fast)(folio, refs) with the engine's causes for that path (main/sim/ops/gup.ts). */
function take(sim: Simulation, folio: Folio, pin: boolean, path: keyof typeof GRAB_CAUSES, refs: number): void {
  addGupRefs(sim, folio, pin, GRAB_CAUSES[path][pin ? 1 : 0], refs)
}

const recheckPut = cause('gup-fast: entry changed, gup_put_folio')
const RECHECK_PUT: PutCauses = { page: recheckPut, folio: recheckPut, bias: recheckPut, pincount: cause('gup-fast: entry changed, gup_put_folio: atomic_sub(_pincount)') }

/** gup_put_folio(folio, refs) of a transient GUP-fast reference (never counted as DMA in flight). */
function drop(sim: Simulation, folio: Folio, pin: boolean, refs: number): void {
  putGupRefs(sim, folio, pin, refs, RECHECK_PUT)
}
