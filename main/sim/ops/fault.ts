/**
 * Page faults on DAX mappings: FS DAX (fs/dax.c dax_iomap_pte_fault/dax_iomap_pmd_fault) and device DAX
 * (drivers/dax/device.c __dev_dax_{pte,pmd,pud}_fault), in both refcount schemes. The caller gets the
 * delivered signal, if any; `notes` say which fault sizes were tried and why they fell back.
 */
import type { Level } from '../../../arch/api'
import { cause, type CauseId } from '../causes'
import type { DaxEntry, DaxFile } from '../daxfs'
import { alignBytes } from '../memory'
import { alignDown, type Leaf, type Vma } from '../mm'
import { leafBits, type ArchView } from '../arch-view'
import type { Simulation } from '../sim'
import { deviceFault } from './device-fault'
import { protAt, vmaSpan } from '../vma-prot'
import { requestEntry } from '../proposal-2022'

export type FaultSize = 'auto' | 'pte' | 'pmd' | 'pud'
/** A fallback to a smaller fault size, with the note it writes per level (built on first use). */
interface Fallback {
  readonly kind: 'fallback'
  readonly why: string
  readonly notes: Partial<Record<Level, string>>
}
type Attempt = { kind: 'done' } | Fallback | { kind: 'signal'; signal: 'SIGBUS'; why: string }

/**
 * The causes one fault handler writes, interned once per handler name (the kernel functions named
 * differ per scheme, level and write; see insertDaxLeaf).
 */
interface FaultCauses {
  /** Legacy: `<fault>: vmf_insert_mixed[_mkwrite] / vmf_insert_pfn_<level> (<level>_mkdevmap)`, by [read, write]. */
  readonly legacyInsert: Record<Level, readonly [CauseId, CauseId]>
  readonly refInc: CauseId
  readonly put: CauseId
  readonly folioGet: Record<Level, CauseId>
  readonly rmap: Record<Level, CauseId>
  /** `<fault>: <api>`, by [plain, special (6.15/6.16 huge leaf)]. */
  readonly insert: Record<Level, readonly [CauseId, CauseId]>
}

const LEVELS = ['pte', 'pmd', 'pud'] as const

function faultCauses(fault: string): FaultCauses {
  const api = (level: Level) => (level === 'pte' ? 'vmf_insert_page_mkwrite' : `vmf_insert_folio_${level}`)
  const legacyApi = (level: Level, write: boolean) => (level === 'pte' ? (write ? 'vmf_insert_mixed_mkwrite' : 'vmf_insert_mixed') : `vmf_insert_pfn_${level}`)
  const per = <T>(f: (level: Level) => T) => Object.fromEntries(LEVELS.map((l) => [l, f(l)])) as Record<Level, T>
  return {
    legacyInsert: per((l) => [cause(`${fault}: ${legacyApi(l, false)} (${l}_mkdevmap)`), cause(`${fault}: ${legacyApi(l, true)} (${l}_mkdevmap)`)] as const),
    refInc: cause(`${fault}: folio_ref_inc`),
    put: cause(`${fault}: folio_put`),
    folioGet: per((l) => cause(`${api(l)}: folio_get`)),
    rmap: per((l) => cause(`${api(l)}: folio_add_file_rmap_${l}`)),
    insert: per((l) => [cause(`${fault}: ${api(l)}`), cause(`${fault}: ${api(l)} (insert_pfn_${l}: ${l}_mkspecial, 6.15/6.16)`)] as const),
  }
}

const PTE_FAULT = faultCauses('dax_iomap_pte_fault')
const PMD_FAULT = faultCauses('dax_iomap_pmd_fault')
const DEV_FAULT: Record<Level, FaultCauses> = { pte: faultCauses('__dev_dax_pte_fault'), pmd: faultCauses('__dev_dax_pmd_fault'), pud: faultCauses('__dev_dax_pud_fault') }

const C = {
  unmapZero: cause('dax_insert_entry: unmap the zero page'),
  mkwriteRef: cause('dax_fault_iter: folio_ref_inc (mkwrite)'),
  mkwritePte: cause('insert_page_into_pte_locked: pte_mkwrite on the same pfn'),
  mkwritePut: cause('dax_fault_iter: folio_put'),
  pfnMkwrite: cause('insert_pfn: mkwrite on the same pfn (pfn_mkwrite)'),
  wpPageReuse: cause('wp_page_reuse'),
  splitHugePmd: cause('__split_huge_pmd'),
  wpPageCopy: cause('wp_page_copy: replace the DAX page with an anon copy'),
  cowAnon: cause('COW: anon page'),
  pmdLoadHole: cause('dax_pmd_load_hole: huge zero folio'),
  replaceHugeZero: cause('dax_insert_entry: replace huge zero page'),
  folioInit: cause('dax_associate_entry: dax_folio_init -> prep_compound_page'),
  pmdDowngrade: cause('grab_mapping_entry: pmd_downgrade'),
  loadHole: cause('dax_load_hole: zero page'),
  replaceZero: cause('dax_insert_entry: replace zero page'),
}

const ANON_BITS = { write: true, dirty: true, special: false, devmap: false } as const
const HUGE_ZERO_BITS = { write: false, dirty: false, special: false, devmap: false } as const
const ZERO_BITS = { write: false, dirty: false, special: true, devmap: false } as const

const done: Attempt = { kind: 'done' }
/** Fallbacks by reason: every reason is a constant text of this file, so the map stays small. */
const FALLBACKS = new Map<string, Fallback>()
const fallback = (why: string): Attempt => {
  let attempt = FALLBACKS.get(why)
  if (!attempt) {
    attempt = { kind: 'fallback', why, notes: {} }
    FALLBACKS.set(why, attempt)
  }
  return attempt
}
const sigbus = (why: string): Attempt => ({ kind: 'signal', signal: 'SIGBUS', why })

/** handle_mm_fault() for one address: returns the signal delivered, if any. */
export function handleFault(sim: Simulation, vma: Vma, addr: number, write: boolean, size: FaultSize, notes: string[]): string | undefined {
  // Anonymous memory, device-private entries and p2pmem take their own paths (ops/device-fault.ts).
  const device = deviceFault(sim, vma, addr, write, size, notes)
  if (device) return device.signal
  const existing = sim.lookup(vma, addr)
  if (existing) {
    if (!write || existing.write) {
      notes.push(ALREADY_NOTE[existing.level])
      return undefined
    }
    return writeProtectFault(sim, vma, addr, existing, notes)
  }
  for (const level of faultLevels(sim, size)) {
    const attempt = vma.file ? fsdaxFault(sim, vma, vma.file, addr, write, level) : devdaxFault(sim, vma, addr, write, level)
    if (attempt.kind === 'done') {
      notes.push(MAPPED_NOTE[level])
      return undefined
    }
    if (attempt.kind === 'signal') {
      notes.push(`${level}: ${attempt.signal} (${attempt.why})`)
      return attempt.signal
    }
    notes.push((attempt.notes[level] ??= `${level}: fallback (${attempt.why})`))
  }
  return 'SIGBUS'
}

/**
 * Sizes handle_mm_fault() tries, largest first. DAX VMAs are always eligible for huge faults
 * (__thp_vma_allowable_orders: vma_is_dax), so `auto` starts at PUD where the arch has PUD leaves;
 * an explicit size starts there (as if larger sizes were disabled).
 */
function faultLevels(sim: Simulation, size: FaultSize): readonly Level[] {
  // The arch view of the last fault first: a run has one, and a WeakMap lookup per fault is not free.
  if (sim.arch === lastArch) return lastLevels![size]
  let bySize = LEVELS_BY_ARCH.get(sim.arch)
  if (!bySize) {
    const all: Level[] = [...(sim.arch.pudSize !== undefined ? ['pud' as const] : []), ...(sim.arch.pmdLeaves ? ['pmd' as const] : []), 'pte']
    const from = (s: Level) => (all.indexOf(s) < 0 ? ['pte' as const] : all.slice(all.indexOf(s)))
    bySize = { auto: all, pud: from('pud'), pmd: from('pmd'), pte: from('pte') }
    LEVELS_BY_ARCH.set(sim.arch, bySize)
  }
  lastArch = sim.arch
  lastLevels = bySize
  return bySize[size]
}

/** The arch view faultLevels() answered last, and its table (an ArchView is read-only). */
let lastArch: ArchView | undefined
let lastLevels: Record<FaultSize, readonly Level[]> | undefined

/** The fault sizes of each arch view, worked out once (faultLevels runs on every fault). */
const LEVELS_BY_ARCH = new WeakMap<ArchView, Record<FaultSize, readonly Level[]>>()

/** `<level>: mapped` and `<level>: already mapped`, the notes of most faults, built once. */
const MAPPED_NOTE: Record<Level, string> = { pte: 'pte: mapped', pmd: 'pmd: mapped', pud: 'pud: mapped' }
const ALREADY_NOTE: Record<Level, string> = { pte: 'pte: already mapped', pmd: 'pmd: already mapped', pud: 'pud: already mapped' }

function pageIndex(sim: Simulation, vma: Vma, addr: number): number {
  return vma.pgoff + Math.floor((addr - vma.start) / sim.arch.pageSize)
}

/**
 * Write to a present read-only leaf. Shared: FS DAX goes through wp_pfn_shared() -> ->pfn_mkwrite ->
 * dax_iomap_fault(), which re-inserts the same pfn with mkwrite (insert_page_into_pte_locked upgrades the
 * entry and takes no new reference; the 6.15+ transient folio_ref_inc/folio_put still happens). Private
 * FS DAX: wp_page_copy() to an anon page; in 6.15+ the DAX folio's rmap and reference go with the old PTE.
 */
function writeProtectFault(sim: Simulation, vma: Vma, addr: number, leaf: Leaf, notes: string[]): string | undefined {
  const { level, index } = leaf
  if (leaf.kind === 'zero' && vma.shared) {
    // ->pfn_mkwrite on the zero page: dax_iomap_fault(write) allocates a block and dax_insert_entry()
    // replaces the zero-page entry, unmapping it first.
    sim.zapLeaf(vma, level, index, C.unmapZero)
    notes.push(`${level}: write to the zero page, allocating`)
    return handleFault(sim, vma, addr, true, level, notes)
  }
  if (vma.shared) {
    if (leaf.kind === 'dax' && leaf.counted && vma.file) {
      const folio = sim.folios.folio(leaf.pfn)
      sim.folios.ref(folio, 1, C.mkwriteRef)
      sim.upgrade(leaf, C.mkwritePte)
      sim.folios.put(folio, 1, C.mkwritePut)
    } else {
      sim.upgrade(leaf, vma.file ? C.pfnMkwrite : C.wpPageReuse)
    }
    notes.push(`${level}: write-protect fault, entry made writable`)
    return undefined
  }
  // Private mapping: a huge leaf is split first (__split_huge_pmd: DAX leaves are just cleared).
  if (level !== 'pte') {
    sim.zapLeaf(vma, level, index, C.splitHugePmd)
    notes.push(`${level}: split for COW`)
    return handleFault(sim, vma, addr, true, 'pte', notes)
  }
  sim.zapLeaf(vma, 'pte', index, C.wpPageCopy)
  installAnon(sim, vma, addr)
  notes.push('pte: COW to an anon page')
  return undefined
}

function installAnon(sim: Simulation, vma: Vma, addr: number): void {
  vma.anonVma = true
  sim.install(vma, 'pte', addr, sim.anonPage(), 'anon', ANON_BITS, false, C.cowAnon)
}

function fsdaxFault(sim: Simulation, vma: Vma, file: DaxFile, addr: number, write: boolean, level: Level): Attempt {
  if (level === 'pud') return fallback('dax_iomap_fault: FS DAX has no PUD-order faults')
  if (level === 'pmd') return fsdaxPmdFault(sim, vma, file, addr, write)
  return fsdaxPteFault(sim, vma, file, addr, write)
}

function maxPgoff(sim: Simulation, file: DaxFile): number {
  return Math.ceil(file.size / sim.arch.pageSize)
}

/** fs/dax.c dax_iomap_pmd_fault() + dax_fault_check_fallback() + grab_mapping_entry(PMD_ORDER). */
function fsdaxPmdFault(sim: Simulation, vma: Vma, file: DaxFile, addr: number, write: boolean): Attempt {
  const { pmdSize, pmdPages } = sim.arch
  const start = alignDown(addr, pmdSize)
  const index = pageIndex(sim, vma, start)
  // The VMA edge: the part of the mapping with one protection (mprotect/partial munmap split it).
  const span = vmaSpan(vma, addr)
  if (start < span.start || start + pmdSize > span.end) return fallback('PMD crosses the VMA edge')
  if (write && !vma.shared) return fallback('write fault on a private mapping (COW)')
  if (index % pmdPages !== 0) return fallback('file offset colour differs from the address colour')
  if (index + pmdPages - 1 >= maxPgoff(sim, file)) return fallback('PMD crosses EOF')
  if (sim.ptesUnder(vma, start)) return fallback('a PTE table already exists here')
  if (file.entriesIn(index, index + pmdPages).some((e) => e.order === 0)) return fallback('grab_mapping_entry: PTE entries in range')
  lookAt(sim, file.blockAt(index))

  const existing = file.entryAt(index, pmdPages)
  let pfn = existing?.pfn
  if (pfn !== undefined && rangePoisoned(sim, pfn, pmdPages)) return fallback(POISON_FALLBACK)
  if (pfn === undefined) {
    const block = file.blockAt(index)
    if (block === undefined) {
      if (file.contiguousFrom(index) === 0 && nextExtentWithin(file, index, pmdPages)) return fallback('iomap: hole shorter than a PMD')
      if (!write) {
        // dax_pmd_load_hole(): a DAX_PMD|DAX_ZERO_PAGE entry and the huge zero folio, no reference.
        if (!existing) file.entries.set(index, { index, order: Math.log2(pmdPages), pfn: undefined })
        sim.install(vma, 'pmd', start, sim.hugeZeroPfn, 'zero', HUGE_ZERO_BITS, false, C.pmdLoadHole)
        return done
      }
      if (!file.fs.allocate(file, index, pmdPages, pmdPages)) return sigbus('ENOSPC allocating blocks')
    }
    pfn = file.blockAt(index)!
    if (file.contiguousFrom(index) < pmdPages || pfn % pmdPages !== 0) return fallback('iomap: extent not PMD-sized and aligned')
    if (rangePoisoned(sim, pfn, pmdPages)) return fallback(POISON_FALLBACK)
    if (existing) {
      // dax_insert_entry(): replacing a huge zero entry with a block mapping unmaps the zero PMDs.
      sim.unmapMappingPages(file, index, index + pmdPages, C.replaceHugeZero)
    }
    file.entries.set(index, { index, order: Math.log2(pmdPages), pfn })
    requestEntry(sim, file.entries.get(index)!) // 2022 proposal: dax_associate_entry -> pgmap_request_folios
    if (sim.kernel.on('fsdax-refcount')) {
      // dax_associate_entry() -> dax_folio_init(): the FS DAX folio becomes PMD order on first association.
      sim.folios.makeLarge(file.fs.region, pfn, Math.log2(pmdPages), C.folioInit)
    }
  }
  insertDaxLeaf(sim, vma, 'pmd', start, pfn, write, PMD_FAULT)
  return done
}

function nextExtentWithin(file: DaxFile, index: number, pages: number): boolean {
  return file.extents.some((e) => e.index > index && e.index < index + pages)
}

function isPoisoned(sim: Simulation, pfn: number): boolean {
  lookAt(sim, pfn)
  // Most runs poison nothing: no hash lookup then.
  return sim.poisoned.size > 0 && sim.poisoned.has(pfn)
}

/**
 * dax_direct_access() on a block: the lab materialises its folio record, so the run result lists
 * every page a fault looked at (also on 6.14, where mapping takes no reference).
 */
function lookAt(sim: Simulation, pfn: number | undefined): void {
  if (pfn !== undefined && sim.folios.regionOf(pfn) !== undefined) sim.folios.folio(pfn)
}

/**
 * fs/dax.c dax_fault_iter(): `err = dax_iomap_direct_access(...); if (err) return pmd ?
 * VM_FAULT_FALLBACK : dax_fault_return(err);` and pmem's __pmem_direct_access() (drivers/nvdimm/pmem.c)
 * fails the whole request with -EHWPOISON when any bad block lies in it. So a PMD fault over a range
 * holding one poisoned page falls back to PTE faults (dax_iomap_pmd_fault: split_huge_pmd,
 * THP_FAULT_FALLBACK) and only the poisoned page SIGBUSes (6.1 through 6.17 alike).
 */
const POISON_FALLBACK = 'dax_iomap_direct_access: -EHWPOISON, a poisoned page in the PMD range'

function rangePoisoned(sim: Simulation, pfn: number, pages: number): boolean {
  if (sim.poisoned.size === 0) return false
  for (const bad of sim.poisoned) if (bad >= pfn && bad < pfn + pages) return true
  return false
}

/** fs/dax.c dax_iomap_pte_fault(): beyond EOF, COW, hole (zero page) or block mapping. */
function fsdaxPteFault(sim: Simulation, vma: Vma, file: DaxFile, addr: number, write: boolean): Attempt {
  const index = pageIndex(sim, vma, addr)
  if (index >= maxPgoff(sim, file)) return sigbus('beyond EOF')
  if (write && !vma.shared) {
    // dax_fault_cow_page(): copy into vmf->cow_page and finish_fault(); the DAX page is not mapped.
    installAnon(sim, vma, addr)
    return done
  }
  let entry = file.entryAt(index, sim.arch.pmdPages)
  if (entry && entry.order > 0 && entry.pfn === undefined) {
    // grab_mapping_entry(order 0) downgrades a huge zero entry: unmap it and drop the entry.
    sim.unmapMappingPages(file, entry.index, entry.index + sim.arch.pmdPages, C.pmdDowngrade)
    file.entries.delete(entry.index)
    entry = undefined
  }
  let pfn = entry?.pfn !== undefined ? entry.pfn + (index - entry.index) : file.blockAt(index)
  if (pfn === undefined) {
    if (!write) {
      // dax_load_hole(): DAX_ZERO_PAGE entry; the zero page is mapped special, without a reference.
      if (!entry) file.entries.set(index, { index, order: 0, pfn: undefined })
      sim.install(vma, 'pte', addr, sim.zeroPfn, 'zero', ZERO_BITS, false, C.loadHole)
      return done
    }
    if (!file.fs.allocate(file, index, 1, 1)) return sigbus('ENOSPC allocating a block')
    pfn = file.blockAt(index)!
    if (entry) sim.unmapMappingPages(file, index, index + 1, C.replaceZero)
    entry = undefined
  }
  if (isPoisoned(sim, pfn)) return sigbus('dax_direct_access: poisoned block')
  if (!entry) {
    const created: DaxEntry = { index, order: 0, pfn }
    file.entries.set(index, created)
    requestEntry(sim, created) // 2022 proposal: dax_associate_entry -> pgmap_request_folios
  }
  insertDaxLeaf(sim, vma, 'pte', addr, pfn, write, PTE_FAULT)
  return done
}

/**
 * Maps a DAX page. Legacy: vmf_insert_mixed()/vmf_insert_pfn_pmd() with PFN_DEV|PFN_MAP -> devmap entry,
 * no reference, no rmap. 6.15+: folio_ref_inc (validate_page_before_insert() refuses refcount 0) then
 * vmf_insert_page_mkwrite()/vmf_insert_folio_pmd() take a reference and add rmap, then folio_put.
 */
function insertDaxLeaf(sim: Simulation, vma: Vma, level: Level, addr: number, pfn: number, write: boolean, fault: FaultCauses): void {
  const fsdax = vma.file !== undefined
  // A DAX file VMA wants write notify (->page_mkwrite/->pfn_mkwrite), so read faults map read-only;
  // device DAX has neither, so vm_page_prot of a shared mapping is already writable (unless the
  // mapping is PROT_READ).
  const writable = write || (!fsdax && protAt(vma, addr) === 'read-write')
  // Whether the mapping takes a reference is the memory type's answer (memtypes/fsdax.ts, devdax.ts).
  if (!(fsdax ? vma.file!.fs.region : vma.device!).memtype.mappingTakesReference(sim.kernel)) {
    sim.install(vma, level, addr, pfn, 'dax', leafBits(writable, write, false, true), false, fault.legacyInsert[level][write ? 1 : 0])
    return
  }
  const folio = sim.folios.folio(pfn)
  if (fsdax) sim.folios.reportStaleTail(folio) // a split without folio_reset_order (6.15-rc)
  const transient = fsdax
  if (transient) sim.folios.ref(folio, 1, fault.refInc)
  sim.folios.ref(folio, 1, fault.folioGet[level])
  sim.folios.map(folio, 1, fault.rmap[level])
  const special = level !== 'pte' && sim.kernel.specialDaxHugeLeaves && sim.arch.hasSpecial(level)
  sim.install(vma, level, addr, pfn, 'dax', leafBits(writable, write, special, false), true, fault.insert[level][special ? 1 : 0])
  if (transient) sim.folios.put(folio, 1, fault.put)
}

const SIZE_OVER_ALIGN: Record<'4KiB' | '2MiB' | '1GiB', string> = { '4KiB': 'fault size > align 4KiB', '2MiB': 'fault size > align 2MiB', '1GiB': 'fault size > align 1GiB' }

/** drivers/dax/device.c __dev_dax_{pte,pmd,pud}_fault(): size checks against dev_dax->align. */
function devdaxFault(sim: Simulation, vma: Vma, addr: number, write: boolean, level: Level): Attempt {
  const region = vma.device!
  if (region.def.type !== 'devdax') return sigbus(`${region.type} mappings are not modelled yet`)
  if (!region.alive) return sigbus('check_vma: !dax_alive (the device is unbound)')
  const align = alignBytes(region.def.align)
  const size = sim.arch.levelSize(level)
  if (align > size) return sigbus(`align ${align} > ${level.toUpperCase()} size`)
  if (size > align) return fallback(SIZE_OVER_ALIGN[region.def.align])
  const start = alignDown(addr, size)
  const span = vmaSpan(vma, addr)
  if (start < span.start || start + size > span.end) return sigbus(`${level.toUpperCase()} outside the VMA`)
  const pgoff = pageIndex(sim, vma, start)
  const pages = size / sim.arch.pageSize
  if (pgoff + pages > region.nrPages) return sigbus('dax_pgoff_to_phys: beyond the device')
  const pfn = region.basePfn + pgoff
  lookAt(sim, pfn)
  if (rangePoisoned(sim, pfn, pages)) return sigbus('poisoned page')
  insertDaxLeaf(sim, vma, level, start, pfn, write, DEV_FAULT[level])
  return done
}
