/**
 * get_user_pages / pin_user_pages on DAX mappings (mm/gup.c), fast and slow paths, both schemes.
 * References are taken with try_grab_folio() semantics, `refs` at a time: FOLL_GET adds refs; FOLL_PIN
 * adds refs * GUP_PIN_COUNTING_BIAS on a small folio, or refs plus _pincount refs on a large one.
 * How many pages one grab covers is the kernel's (docs/kernel-model.md "GUP batching"):
 * - gup-fast: one page per grab on a PTE (gup_fast_pte_range) and on a legacy devmap PMD/PUD
 *   (gup_fast_devmap_leaf, 6.1-6.14); every page of the range inside a refcounted PMD/PUD leaf with one
 *   grab (gup_fast_pmd_leaf/gup_fast_pud_leaf: try_grab_folio_fast(page, refs), 6.17);
 * - slow path: follow_devmap_pmd/pud (6.1-6.14) returns one page per call; follow_huge_pmd/pud sets
 *   ctx->page_mask, and __get_user_pages() grabs the rest of the huge page with one
 *   try_grab_folio(folio, page_increm - 1) (6.15+ DAX leaves);
 * - unpin: unpin_user_pages() puts each run of pages of one folio with one gup_put_folio(folio, nr)
 *   (gup_folio_next); put_page() and bio_release_pages() here drop one page at a time.
 */
import type { StepArgs } from '../../formats/scenario'
import { cause, type CauseId } from '../causes'
import { GUP_PIN_COUNTING_BIAS, orderPages, type Folio } from '../folios'
import type { Pgmap } from '../memory'
import type { Leaf, Task, Vma } from '../mm'
import { gupRecord, gupRunCount, gupRunHead, gupRunPages, SimError, type GupRecord, type Simulation } from '../sim'
import { handleFault } from './fault'
import { deviceFastBail, deviceSlowGup } from './device-gup'
import type { OpOutcome } from './outcome'
import { protAt } from '../vma-prot'
import { slowGupTakesPgmap } from '../normal-page'

/** try_grab_folio causes for one path and flag: the reference, the _pincount add, the pin bias. */
export interface GrabCauses {
  readonly ref: CauseId
  readonly pincount: CauseId
  readonly bias: CauseId
}

function grabCauses(text: string): GrabCauses {
  return { ref: cause(text), pincount: cause(`${text}: atomic_add(_pincount)`), bias: cause(`${text}: GUP_PIN_COUNTING_BIAS`) }
}

/** [FOLL_GET, FOLL_PIN] causes of the fast and the slow path. */
const FAST_GRAB = [grabCauses('gup-fast: try_grab_folio_fast(FOLL_GET)'), grabCauses('gup-fast: try_grab_folio_fast(FOLL_PIN)')] as const
const SLOW_GRAB = [grabCauses('gup-slow: try_grab_folio(FOLL_GET)'), grabCauses('gup-slow: try_grab_folio(FOLL_PIN)')] as const
/** __get_user_pages(): the rest of a huge page after follow_huge_pmd/pud returned its first page. */
const SLOW_REST_GRAB = [grabCauses('__get_user_pages: try_grab_folio(page_increm - 1, FOLL_GET)'), grabCauses('__get_user_pages: try_grab_folio(page_increm - 1, FOLL_PIN)')] as const
/** The grab causes per path, [FOLL_GET, FOLL_PIN] each (the explorer's split GUP takes the same ones). */
export const GRAB_CAUSES = { fast: FAST_GRAB, slow: SLOW_GRAB, rest: SLOW_REST_GRAB } as const

/** gup_put_folio()/put_page() causes: a FOLL_GET page put, and a FOLL_PIN put of a large folio (ref, _pincount) or a small one (bias). */
export interface PutCauses {
  readonly page: CauseId
  readonly folio: CauseId
  readonly pincount: CauseId
  readonly bias: CauseId
}

const C = {
  fastPutPgmap: cause('gup_fast: put_dev_pagemap'),
  slowPutPgmap: cause('__get_user_pages: put_dev_pagemap(ctx.pgmap)'),
  fastGetPgmap: cause('gup_fast_devmap_leaf: get_dev_pagemap'),
  slowGetPgmap: cause('follow_devmap: get_dev_pagemap (ctx->pgmap)'),
}

const RELEASE: PutCauses = { page: cause('put_page'), folio: cause('gup_put_folio'), pincount: cause('gup_put_folio: atomic_sub(_pincount)'), bias: cause('gup_put_folio: refs * GUP_PIN_COUNTING_BIAS') }

export function gup(sim: Simulation, task: Task, args: StepArgs<'gup'>, notes: string[]): OpOutcome {
  if (sim.gups.has(args.id)) throw new SimError('EINVAL', `gup id '${args.id}' is already in use`)
  // is_valid_gup_args(): FOLL_LONGTERM only with FOLL_PIN; LONGTERM|PCI_P2PDMA is refused (WARN_ON_ONCE).
  if (args.longterm && !args.pin) throw new SimError('EINVAL', 'is_valid_gup_args: FOLL_LONGTERM is only valid with FOLL_PIN')
  if (args.longterm && args.p2pdma) {
    if (args.fast) throw new SimError('EINVAL', 'is_valid_gup_args: FOLL_LONGTERM with FOLL_PCI_P2PDMA')
    notes.push('is_valid_gup_args refused FOLL_LONGTERM|FOLL_PCI_P2PDMA: 0 pages')
    return { status: 'ok', message: '0 pages pinned' }
  }
  const vma = sim.vma(task, args.map)
  const page = sim.arch.pageSize
  const first = vma.start + args.offset
  if (args.offset % page !== 0) throw new SimError('EINVAL', `offset ${args.offset} is not page aligned`)
  if (first + args.pages * page > vma.end) throw new SimError('EFAULT', `${args.pages} pages from offset ${args.offset} run past the end of mapping '${args.map}'`)
  // check_vma_flags(): (FOLL_LONGTERM) && vma_is_fsdax(vma) -> -EOPNOTSUPP. The fast path bails to the
  // slow path first (legacy: pte_devmap + LONGTERM; 6.15+: !folio_is_longterm_pinnable), so either way.
  if (args.longterm && vma.file) throw new SimError('EOPNOTSUPP', 'check_vma_flags: FOLL_LONGTERM on an FS DAX VMA')
  // One reference per page, as the kernel takes them: refuse at once a count the step budget cannot cover.
  sim.work.require(args.pages, gupWork)

  const record = gupRecord(args.id, task.name, args.pin)
  const fastGrab = FAST_GRAB[args.pin ? 1 : 0]
  const slowGrab = SLOW_GRAB[args.pin ? 1 : 0]
  const slowRestGrab = SLOW_REST_GRAB[args.pin ? 1 : 0]
  let fast = args.fast
  // Legacy GUP holds a dev_pagemap reference for the duration of each walk (fast and slow).
  let fastPgmap: Pgmap | undefined
  let slowPgmap: Pgmap | undefined
  // The leaf the fast path took the last page from, and the addresses it covers: the pages of a huge
  // leaf come in a row, and nothing in the fast path changes a page table, so the next page in that
  // range is the same lookup's answer.
  let fastLeaf: Leaf | undefined
  let fastFrom = 0
  let fastTo = 0
  try {
    for (let i = 0; i < args.pages; i++) {
      const addr = first + i * page
      if (fast) {
        const same = addr >= fastFrom && addr < fastTo
        const leaf = same ? fastLeaf : sim.lookup(vma, addr)
        let bail: string | undefined
        if (!leaf) bail = 'not mapped'
        else if (protAt(vma, addr) === 'none') bail = 'pte_protnone (PROT_NONE)'
        // The leaf of the last page passed the checks of the entry already: only the address's
        // protection can differ.
        else if (!same) bail = leafBail(sim, vma, leaf, args)
        if (bail) {
          notes.push(`gup-fast bailed at page ${i}: ${bail}; slow path`)
          fast = false
        } else {
          // A leaf's pages are in one region and its entry does not change during the walk, so the
          // dev_pagemap question below has the same answer for every page of it: asked once per leaf.
          const newLeaf = leaf !== fastLeaf
          if (newLeaf) {
            fastLeaf = leaf
            const size = sim.levelSizeOrZero(leaf!.level)
            fastFrom = leaf!.index * size
            fastTo = fastFrom + size
          }
          // pfnAt() for an address the leaf covers (it does: [fastFrom, fastTo) is the leaf's range).
          const pfn = leaf!.pfn + Math.floor((addr - fastFrom) / page)
          const folio = sim.folios.folio(pfn)
          if (newLeaf && !fastPgmap) {
            const pgmap = sim.folios.region(folio).pgmap
            if (pgmap && sim.arch.isDevmap(leaf!.level, leaf!.raw)) {
              fastPgmap = pgmap
              sim.folios.pgmapRef(fastPgmap, 1, C.fastGetPgmap)
            }
          }
          // gup_fast_pmd_leaf()/gup_fast_pud_leaf() (6.17): one try_grab_folio_fast(page, refs) for every
          // page of the range inside the leaf.
          const refs = pagesPerGrab(sim, vma, leaf!, folio, pfn, addr, args.pages - i)
          grab(sim, folio, args.pin, fastGrab, refs)
          pushHeads(record, sim.folios.head[folio]!, refs)
          i += refs - 1
          continue
        }
      }
      // Slow path: check_vma_flags() first (mm/gup.c): FOLL_WRITE without VM_WRITE, or no VM_READ, is
      // -EFAULT (no FOLL_FORCE here); no VMA at all is -EFAULT too. Then fault in what is missing
      // (FOLL_WRITE faults for write) and follow the entry.
      const prot = protAt(vma, addr)
      if (prot === 'unmapped' || prot === 'none' || (args.write && prot === 'read')) {
        throw new SimError('EFAULT', `check_vma_flags: page ${i} of gup '${args.id}' is ${prot === 'unmapped' ? 'not mapped' : prot === 'none' ? 'PROT_NONE' : 'PROT_READ and FOLL_WRITE was asked'}`)
      }
      let hit = sim.lookup(vma, addr)
      // A device-private entry is not present: follow_page fails and faultin_page() -> do_swap_page().
      if (!hit || (args.write && !hit.write) || hit.kind === 'device-private') {
        const signal = handleFault(sim, vma, addr, args.write, 'auto', notes)
        hit = sim.lookup(vma, addr)
        if (signal || !hit) throw new SimError('EFAULT', `fault at page ${i} of gup '${args.id}' delivered ${signal ?? 'nothing'}`)
      }
      const leaf = hit
      if (leaf.kind === 'device' && deviceSlowGup(sim, leaf, args, notes, i) === 'migrated') continue
      if (leaf.kind !== 'dax' && leaf.kind !== 'device') {
        notes.push(`page ${i}: ${leaf.kind} page, not tracked`)
        continue
      }
      const pfn = sim.pfnAt(hit, addr)
      const folio = sim.folios.folio(pfn)
      const pgmap = sim.folios.region(folio).pgmap
      if (!slowPgmap && pgmap && slowGupTakesPgmap(sim, leaf)) {
        // follow_page_pte()/follow_devmap_pmd(): get_dev_pagemap() into ctx->pgmap, held to the walk's end.
        slowPgmap = pgmap
        sim.folios.pgmapRef(slowPgmap, 1, C.slowGetPgmap)
      }
      grab(sim, folio, args.pin, slowGrab)
      pushHeads(record, sim.folios.head[folio]!, 1)
      // follow_huge_pmd()/follow_huge_pud() set ctx->page_mask: __get_user_pages() then takes the rest of
      // the huge page in one try_grab_folio(folio, page_increm - 1).
      const rest = pagesPerGrab(sim, vma, leaf, folio, pfn, addr, args.pages - i) - 1
      if (rest > 0) {
        grab(sim, folio, args.pin, slowRestGrab, rest)
        pushHeads(record, sim.folios.head[folio]!, rest)
        i += rest
      }
    }
  } catch (err) {
    // Any failure after references were taken drops them again, as the caller of a failed
    // __get_user_pages() unpins what it got; legacy pgmap references go too.
    releaseRecord(sim, record)
    dropPgmaps(sim, fastPgmap, slowPgmap)
    throw err
  }
  dropPgmaps(sim, fastPgmap, slowPgmap)
  sim.gups.set(args.id, record)
  return pagesOutcome(record.pages, args.pin ? 'pinned' : 'referenced')
}

/** Why gup-fast leaves a present entry to the slow path (what the entry itself says), or undefined. */
function leafBail(sim: Simulation, vma: Vma, leaf: Leaf, args: StepArgs<'gup'>): string | undefined {
  if (args.write && !leaf.write) return 'FOLL_WRITE on a read-only entry'
  if (leaf.kind === 'device') return deviceFastBail(sim, leaf, args)
  if (leaf.kind !== 'dax') return leaf.kind === 'zero' ? 'special zero page' : leaf.kind === 'anon' ? (vma.file ? 'anon COW page' : 'anonymous system RAM page (not tracked)') : 'device-private entry (not present)'
  // gup_fast_pte_range(): pte_devmap() first (FOLL_LONGTERM bails, else get_dev_pagemap), then
  // pte_special() bails; gup_fast_pmd_leaf()/gup_fast_pud_leaf(): pmd_special() first, then
  // pmd_devmap(). Asked of the encoded entry.
  if (leaf.level !== 'pte' && sim.arch.isSpecial(leaf.level, leaf.raw)) return `${leaf.level}_special (6.15/6.16 DAX huge leaf)`
  if (args.longterm && sim.arch.isDevmap(leaf.level, leaf.raw)) return `${leaf.level}_devmap with FOLL_LONGTERM`
  if (leaf.level === 'pte' && !sim.arch.isDevmap('pte', leaf.raw) && sim.arch.isSpecial('pte', leaf.raw)) return 'pte_special'
  return undefined
}

/**
 * The outcome `<n> pages <verb>` per count, made once: every GUP and release step's result keeps its
 * message, and an outcome is read-only (the scheduler copies its fields into the result), so steps
 * share it like OK.
 */
const PAGE_OUTCOMES = { pinned: [] as OpOutcome[], referenced: [] as OpOutcome[], released: [] as OpOutcome[] }

function pagesOutcome(n: number, verb: keyof typeof PAGE_OUTCOMES): OpOutcome {
  if (n >= 1024) return { status: 'ok', message: `${n} pages ${verb}` }
  return (PAGE_OUTCOMES[verb][n] ??= { status: 'ok', message: `${n} pages ${verb}` })
}

/** The dev_pagemap references a legacy walk held, dropped at its end (put_dev_pagemap). */
function dropPgmaps(sim: Simulation, fastPgmap: Pgmap | undefined, slowPgmap: Pgmap | undefined): void {
  if (fastPgmap) sim.folios.pgmapRef(fastPgmap, -1, C.fastPutPgmap)
  if (slowPgmap) sim.folios.pgmapRef(slowPgmap, -1, C.slowPutPgmap)
}

/**
 * How many pages GUP takes with one grab at `addr` (page `pfn` of `folio`, mapped by `leaf`), at most
 * `max`. One on a PTE and on a legacy devmap PMD/PUD (gup_fast_devmap_leaf and follow_devmap_pmd/pud
 * go page by page, 6.1-6.14). On any other huge leaf (6.15+ DAX), the pages of the range up to the
 * leaf's end (gup_fast_pmd_leaf: refs = (end - addr) >> PAGE_SHIFT; __get_user_pages: page_increm),
 * within `folio` (a leaf maps one folio), stopping before a PROT_NONE address (the page-by-page path
 * reports that one as before).
 */
export function pagesPerGrab(sim: Simulation, vma: Vma, leaf: Leaf, folio: Folio, pfn: number, addr: number, max: number): number {
  if (leaf.level === 'pte' || sim.arch.isDevmap(leaf.level, leaf.raw)) return 1
  const page = sim.arch.pageSize
  const size = sim.levelSizeOrZero(leaf.level)
  const leafEnd = Math.floor(addr / size) * size + size
  const folioEnd = sim.folios.head[folio]! + orderPages(sim.folios.order[folio]!)
  const n = Math.min(max, Math.floor((leafEnd - addr) / page), folioEnd - pfn)
  // A mapping without protection ranges is PROT_READ|PROT_WRITE throughout (vma-prot.ts): no page of
  // the range is PROT_NONE, and no protAt() per page is asked (15 on a 16-page grab of a PMD).
  if (vma.prot === undefined) return n > 1 ? n : 1
  let refs = 1
  while (refs < n && protAt(vma, addr + refs * page) !== 'none') refs++
  return refs
}

/**
 * Adds n pages of the folio at `head` to a record: they extend its last run when that run is of the
 * same folio (the page list's adjacent equal heads, which unpin_user_pages() puts with one
 * gup_put_folio), else start a run. The first run lives in the record; a second makes its `more` array.
 */
export function pushHeads(record: GupRecord, head: number, n: number): void {
  // No pages, no run (the per-page list got no head either).
  if (n <= 0) return
  record.pages += n
  const more = record.more
  const last = more.length - 2
  if (record.headPages === 0) {
    record.head = head
    record.headPages = n
  } else if (last >= 0) {
    if (more[last] === head) more[last + 1] = more[last + 1]! + n
    else more.push(head, n)
  } else if (record.head === head) record.headPages += n
  else record.more = [head, n]
}

/** The name of a GUP's work in a budget refusal, made only for a refusal (WorkMeter.require). */
export const gupWork = (pages: number): string => `gup of ${pages} pages`

/** try_grab_folio(folio, refs): rc <= 0 is a WARN and -ENOMEM in the kernel. */
function grab(sim: Simulation, folio: Folio, pin: boolean, causes: GrabCauses, refs = 1): void {
  if (sim.folios.refcount[folio]! <= 0) {
    sim.trace.violation('kernel_warning', `WARN_ON_ONCE in try_grab_folio: folio ${'0x' + sim.folios.head[folio]!.toString(16)} has refcount ${sim.folios.refcount[folio]!}`, sim.folios.head[folio]!)
    throw new SimError('ENOMEM', 'try_grab_folio on a folio with no references')
  }
  addGupRefs(sim, folio, pin, causes, refs)
  sim.folios.gupRefs[folio] = sim.folios.gupRefs[folio]! + refs
}

/** The count changes of try_grab_folio(folio, refs) (include/linux/mm.h GUP_PIN_COUNTING_BIAS, mm/gup.c). */
export function addGupRefs(sim: Simulation, folio: Folio, pin: boolean, causes: GrabCauses, refs: number): void {
  if (!pin) sim.folios.ref(folio, refs, causes.ref)
  else if (sim.folios.order[folio]! > 0) {
    sim.folios.ref(folio, refs, causes.ref)
    sim.folios.pin(folio, refs, causes.pincount)
  } else sim.folios.ref(folio, refs * GUP_PIN_COUNTING_BIAS, causes.bias)
}

/**
 * The release of a GUP record: FOLL_PIN references through gup_put_folio(), FOLL_GET ones through
 * put_page(). `perFolio`: unpin_user_pages(), which puts each run of pages of one folio with one
 * gup_put_folio(folio, nr, FOLL_PIN) (gup_folio_next, mm/gup.c, 6.1+); otherwise one page at a time
 * (unpin_user_page(), put_page()). Releasing a FOLL_GET with unpin (or the reverse) is the caller bug
 * the kernel would also act out.
 */
export function releaseGup(sim: Simulation, id: string, asPin: boolean, perFolio = false): OpOutcome {
  const record = sim.gups.get(id)
  if (!record) throw new SimError('EINVAL', `no gup '${id}'`)
  if (record.released) {
    sim.retireGup(record)
    throw new SimError('EINVAL', `gup '${id}' was already released`)
  }
  releaseRecord(sim, record, asPin, perFolio)
  record.released = true
  const mismatch = asPin !== record.pin
  const outcome: OpOutcome = mismatch ? { status: 'ok', message: `released a ${record.pin ? 'FOLL_PIN' : 'FOLL_GET'} reference with ${asPin ? 'unpin' : 'put'}` } : pagesOutcome(record.pages, 'released')
  sim.retireGup(record)
  return outcome
}

/** gup_put_folio(folio, refs, FOLL_PIN), or put_page() of `refs` references for a FOLL_GET release. */
export function putGupRefs(sim: Simulation, folio: Folio, asPin: boolean, refs: number, causes: PutCauses): void {
  if (!asPin) {
    sim.folios.put(folio, refs, causes.page)
    return
  }
  if (sim.folios.order[folio]! > 0) {
    sim.folios.pin(folio, -refs, causes.pincount)
    sim.folios.put(folio, refs, causes.folio)
  } else sim.folios.put(folio, refs * GUP_PIN_COUNTING_BIAS, causes.bias)
}

/**
 * Drops a record's references: page by page, or (perFolio, with asPin: unpin_user_pages) each run of
 * pages of one folio at once. put_page() is always one page at a time.
 */
function releaseRecord(sim: Simulation, record: GupRecord, asPin = record.pin, perFolio = true): void {
  const perRun = perFolio && asPin
  const runs = gupRunCount(record)
  for (let r = 0; r < runs; r++) {
    const head = gupRunHead(record, r)
    const nr = gupRunPages(record, r)
    if (perRun) {
      const folio = sim.folios.folio(head)
      putGupRefs(sim, folio, asPin, nr, RELEASE)
      sim.folios.gupRefs[folio] = sim.folios.gupRefs[folio]! - nr
      continue
    }
    // One page at a time, the folio looked up again for each page as before (a put may split it).
    for (let k = 0; k < nr; k++) {
      const folio = sim.folios.folio(head)
      putGupRefs(sim, folio, asPin, 1, RELEASE)
      sim.folios.gupRefs[folio] = sim.folios.gupRefs[folio]! - 1
    }
  }
}
