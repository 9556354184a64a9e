/**
 * The simulated machine: kernel model, arch view, memory, DAX filesystems, tasks and outstanding GUP
 * references, plus the page-table primitives every operation shares (install a leaf, zap a leaf,
 * unmap_mapping_pages). Operations live in ops/; the scheduler in scheduler.ts.
 */
import type { Level } from '../../arch/api'
import type { Profile } from '../formats/profile'
import type { Step } from '../formats/scenario'
import { type ArchView, type LeafBits } from './arch-view'
import { type DaxFile, DaxFs } from './daxfs'
import { WorkMeter } from './budget'
import { cause, derive, type CauseId } from './causes'
import { EventKind, LEVEL_CODES } from './events'
import { FolioTable, hex } from './folios'
import type { KernelModel } from './kernel-model'
import { layoutRegions, type RegionState } from './memory'
import { inAddressOrder } from './address-order'
import { alignDown, Task, type Leaf, type LeafKind, type Vma } from './mm'
import { Trace } from './trace'
import { GupLifetimes } from './gup-lifetimes'
import { zapDeviceLeaf } from './ops/device-leaf'
import { vmNormalPage } from './normal-page'

/**
 * The pages a GUP call took references on, released page by page (unpin_user_page()/put_page()) or per
 * folio run (unpin_user_pages()). Kept as runs, not one head per page: a 16-page grab of one PMD folio
 * is one run, held in the record itself (no array for a record of one run).
 *
 * Runs are in page order: the first in `head`/`headPages`, the others in `more`. Pages of the folio the
 * last run holds extend that run (pushHeads, main/sim/ops/gup.ts), so a run is exactly a run of
 * adjacent equal heads of the one-head-per-page list, the runs unpin_user_pages() puts at once
 * (gup_folio_next). Read them with gupRunCount/gupRunHead/gupRunPages. Emptied once released (nothing
 * reads them after).
 */
export interface GupRecord {
  readonly id: string
  readonly task: string
  readonly pin: boolean
  /** The first run's folio head (meaningless while headPages is 0). */
  head: number
  /** The first run's page count; 0 when the record holds no page. */
  headPages: number
  /** The runs after the first, flat: folio head, page count, ... NO_RUNS until a second run. */
  more: number[]
  /** Pages referenced: the sum of the runs' counts (0 once released). */
  pages: number
  released: boolean
}

/** `more` of a record with at most one run (shared, frozen: pushHeads gives a record its own array). */
export const NO_RUNS: number[] = Object.freeze([] as number[]) as number[]

/** A record of no pages yet (one shape for every record, the engine's and the explorer's). */
export function gupRecord(id: string, task: string, pin: boolean): GupRecord {
  return { id, task, pin, head: 0, headPages: 0, more: NO_RUNS, pages: 0, released: false }
}

/** How many runs a record holds. */
export function gupRunCount(record: GupRecord): number {
  return record.headPages === 0 ? 0 : 1 + record.more.length / 2
}

/** The folio head of run r (0 <= r < gupRunCount). */
export function gupRunHead(record: GupRecord, r: number): number {
  return r === 0 ? record.head : record.more[2 * r - 2]!
}

/** The page count of run r (0 <= r < gupRunCount). */
export function gupRunPages(record: GupRecord, r: number): number {
  return r === 0 ? record.headPages : record.more[2 * r - 1]!
}

const C = {
  removeRmap: { pte: cause(': folio_remove_rmap_pte'), pmd: cause(': folio_remove_rmap_pmd'), pud: cause(': folio_remove_rmap_pud') },
  tlbPut: cause(': tlb_remove_page -> folio_put'),
}

/** Bottom of the mmap area for every task (x86-64 style; the value only matters for alignment). */
const MMAP_BASE = 0x7f0000000000
/** Every leaf level, smallest first. */
const LEAF_LEVELS: readonly Level[] = ['pte', 'pmd', 'pud']

export class SimError extends Error {
  constructor(
    readonly errno: string,
    message: string,
  ) {
    super(message)
  }
}

export class Simulation {
  readonly trace = new Trace()
  /** The current step's work, against STEP_BUDGET (budget.ts). */
  readonly work = new WorkMeter()
  readonly arch: ArchView
  readonly regions: RegionState[]
  readonly folios: FolioTable
  readonly filesystems: DaxFs[] = []
  readonly tasks = new Map<string, Task>()
  readonly gups = new Map<string, GupRecord>()
  /** Which ids later steps can still name: a released record no later step can name is dropped. */
  private readonly gupLifetimes = new GupLifetimes()
  /** pfns of the shared zero page and the huge zero folio (system RAM; never refcounted by the lab). */
  readonly zeroPfn = 0x1000
  readonly hugeZeroPfn: number
  private nextAnonPfn = 0x10000
  /**
   * Poisoned pfns, page by page: pmem's badblocks plus PageHWPoison (memory_failure() sets the flag on
   * the one page, SetPageHWPoison(p) in mm/memory-failure.c; pmem_clear_poison() clears both,
   * drivers/nvdimm/pmem.c). Per page, not per folio: a large folio with one bad page still maps its
   * other pages through PTE faults.
   */
  readonly poisoned = new Set<number>()

  constructor(
    readonly kernel: KernelModel,
    readonly profile: Profile,
    arch: ArchView,
  ) {
    this.arch = arch
    this.hugeZeroPfn = arch.pmdPages * 8
    this.regions = layoutRegions(profile.regions, arch.pageSize, arch.pudSize)
    this.folios = new FolioTable(this.regions, kernel, this.trace, Math.log2(arch.pmdPages))
    for (const region of this.regions) if (region.type === 'fsdax') this.filesystems.push(new DaxFs(region, this.work))
  }

  /** Plans which steps name each GUP id (called with the run's steps before they run). */
  planGupLifetimes(steps: readonly Step[]): void {
    this.gupLifetimes.plan(steps)
  }

  /** After a release at the current step: forget the record when no later step can name it. */
  retireGup(record: GupRecord): void {
    record.headPages = 0
    record.more = NO_RUNS
    record.pages = 0
    if (!this.gupLifetimes.namedAfter(record.id, this.trace.step)) this.gups.delete(record.id)
  }

  task(name: string): Task {
    let task = this.tasks.get(name)
    if (!task) {
      task = new Task(name, MMAP_BASE)
      this.tasks.set(name, task)
    }
    return task
  }

  region(name: string): RegionState {
    const region = this.regions.find((r) => r.name === name)
    if (!region) throw new SimError('ENODEV', `no region '${name}' in the profile (${this.regions.map((r) => r.name).join(', ')})`)
    return region
  }

  /** The DAX filesystem holding path: longest mount prefix, or the only one for a relative path. */
  fsFor(path: string): DaxFs {
    const candidates = path.startsWith('/')
      ? this.filesystems.filter((fs) => path === fs.mount || path.startsWith(fs.mount.endsWith('/') ? fs.mount : fs.mount + '/'))
      : this.filesystems.length === 1
        ? this.filesystems
        : []
    const fs = candidates.sort((a, b) => b.mount.length - a.mount.length)[0]
    if (!fs) throw new SimError('ENOENT', `'${path}' is not on a DAX mount of this profile (${this.filesystems.map((f) => f.mount).join(', ') || 'none'})`)
    if (!fs.mounted) throw new SimError('ENOENT', `${fs.mount} is not mounted`)
    return fs
  }

  file(path: string): DaxFile {
    const file = this.fsFor(path).files.get(path)
    if (!file) throw new SimError('ENOENT', `no file '${path}'`)
    return file
  }

  vma(task: Task, id: string): Vma {
    const vma = task.vmas.get(id)
    if (!vma) throw new SimError('EFAULT', `task ${task.name} has no mapping '${id}'`)
    return vma
  }

  anonPage(): number {
    return this.nextAnonPfn++
  }

  /** n contiguous RAM pfns aligned to n: a THP's pages. */
  anonPages(n: number): number {
    const pfn = Math.ceil(this.nextAnonPfn / n) * n
    this.nextAnonPfn = pfn + n
    return pfn
  }

  /** Leaf mapping addr in vma (it carries its level and table index), or undefined. Allocates nothing. */
  lookup(vma: Vma, addr: number): Leaf | undefined {
    const t = vma.tables
    const base = vma.tableBase
    if (t.pud.size > 0 && this.arch.pudSize !== undefined) {
      const leaf = t.pud.get(Math.floor(addr / this.arch.pudSize) - base.pud)
      if (leaf) return leaf
    }
    if (t.pmd.size > 0 && this.arch.pmdLeaves) {
      const leaf = t.pmd.get(Math.floor(addr / this.arch.pmdSize) - base.pmd)
      if (leaf) return leaf
    }
    return t.pte.size > 0 ? t.pte.get(Math.floor(addr / this.arch.pageSize) - base.pte) : undefined
  }

  /** Puts a leaf in vma's table, keeping the per-PMD count of PTEs that ptesUnder() reads. */
  setLeaf(vma: Vma, leaf: Leaf): void {
    const table = vma.tables[leaf.level]
    const size = table.size
    table.set(leaf.index - vma.tableBase[leaf.level], leaf)
    // A new key grew the table (one hash lookup where has() and set() took two).
    if (leaf.level === 'pte' && table.size !== size) vma.ptesPerPmd.added(leaf.index, this.arch.pmdPages)
  }

  private deleteLeaf(vma: Vma, level: Level, index: number): void {
    if (vma.tables[level].delete(index - vma.tableBase[level]) && level === 'pte') vma.ptesPerPmd.removed(index, this.arch.pmdPages)
  }

  /** Whether a PTE table with entries exists under the PMD covering addr (then no huge fault is tried). */
  ptesUnder(vma: Vma, addr: number): boolean {
    return vma.ptesPerPmd.has(Math.floor(addr / this.arch.pmdSize), vma.tables.pte, vma.tableBase.pte, this.arch.pmdPages)
  }

  levelSizeOrZero(level: Level): number {
    if (level === 'pud') return this.arch.pudSize ?? 0
    if (level === 'pmd' && !this.arch.pmdLeaves) return 0
    return this.arch.levelSize(level)
  }

  /** Writes a leaf: the encoded entry comes from the arch plugin for this kernel. */
  install(vma: Vma, level: Level, addr: number, pfn: number, kind: LeafKind, bits: LeafBits, counted: boolean, cause: CauseId): Leaf {
    this.work.charge(1, 'installing page-table entries')
    const size = this.arch.levelSize(level)
    const raw = this.arch.encode(level, pfn, bits)
    const index = Math.floor(addr / size)
    const leaf: Leaf = { level, index, pfn, kind, write: bits.write, dirty: bits.dirty, special: bits.special, devmap: bits.devmap, raw, counted }
    this.setLeaf(vma, leaf)
    this.trace.entryEvent(EventKind.ENTRY_SET, pfn, alignDown(addr, size) / this.arch.pageSize, cause, LEVEL_CODES[level], raw)
    return leaf
  }

  /** Upgrades a present leaf in place (mkwrite/mkdirty/mkyoung), re-encoding it. */
  upgrade(leaf: Leaf, cause: CauseId): void {
    const level = leaf.level
    leaf.write = true
    leaf.dirty = true
    leaf.raw = this.arch.encode(level, leaf.pfn, leaf)
    const addrPage = (leaf.index * this.arch.levelSize(level)) / this.arch.pageSize
    this.trace.entryEvent(EventKind.ENTRY_SET, leaf.pfn, addrPage, cause, LEVEL_CODES[level], leaf.raw)
  }

  /**
   * Clears one leaf as zap_pte_range()/zap_huge_pmd()/zap_huge_pud() do. Legacy DAX leaves are special or
   * devmap and hold nothing (vm_normal_page() is NULL); refcounted ones drop their rmap and the mapping's
   * reference through the TLB batch (folio_remove_rmap_*, tlb_remove_page_size -> folio_put).
   * `deferred`, when given, collects those folios instead of putting them: the caller drops the
   * references after its TLB flush (mm/mmu_gather.c tlb_flush_mmu -> tlb_flush_mmu_free), as the
   * interleaving explorer's zap does (main/explore/ops/zap.ts).
   */
  zapLeaf(vma: Vma, level: Level, index: number, cause: CauseId, deferred?: number[]): void {
    const leaf = vma.tables[level].get(index - vma.tableBase[level])
    if (leaf) this.zapPresent(vma, leaf, cause, deferred)
  }

  /** zapLeaf() of a leaf known to be in vma's table (zapRange has it in hand: no second lookup). */
  private zapPresent(vma: Vma, leaf: Leaf, cause: CauseId, deferred: number[] | undefined): void {
    const level = leaf.level
    const index = leaf.index
    // Not charged: every leaf zapped was installed (and charged) by an earlier step.
    this.deleteLeaf(vma, level, index)
    const addrPage = (index * this.arch.levelSize(level)) / this.arch.pageSize
    this.trace.entryEvent(EventKind.ENTRY_CLEAR, leaf.pfn, addrPage, cause, LEVEL_CODES[level], leaf.raw)
    if (leaf.kind === 'device' || leaf.kind === 'device-private') {
      zapDeviceLeaf(this, leaf, cause)
      return
    }
    // A PTE holds a page when vm_normal_page() finds one in the encoded entry (normal-page.ts); a huge
    // leaf when zap_huge_pmd()/zap_huge_pud() go past `vma_is_special_huge()`, which for DAX VMAs the
    // series changed to `!vma_is_dax(vma) && ...` together with refcounting the folios (leaf.counted).
    const page = level === 'pte' ? vmNormalPage(this, leaf) : leaf.counted ? leaf.pfn : undefined
    // Only ZONE_DEVICE folios are tracked: anon copies and the zero pages are system RAM to the lab.
    if (page === undefined || leaf.kind !== 'dax') return
    const folio = this.folios.folio(page)
    this.folios.map(folio, -1, derive(cause, C.removeRmap[level]))
    // zap_present_folio_ptes(): `if (unlikely(folio_mapcount(folio) < 0)) print_bad_pte(...)`.
    if (this.folios.mapcount[folio]! < 0) {
      this.trace.violation('kernel_warning', `BUG: Bad page map (print_bad_pte): ${hex(this.folios.head[folio]!)} mapcount ${this.folios.mapcount[folio]!} after zapping an entry vm_normal_page() took for a normal page`, this.folios.head[folio]!)
    }
    // A deferred zap (the explorer's atomic zap) drops the reference after the TLB flush (putBatched).
    if (deferred) deferred.push(folio)
    else this.folios.put(folio, 1, derive(cause, C.tlbPut))
  }

  /** The batched put of a deferred zap (tlb_flush_mmu_free -> folios_put_refs), after the TLB flush. */
  putBatched(folio: number, cause: CauseId): void {
    this.folios.put(folio, 1, derive(cause, C.tlbPut))
  }

  /**
   * Zaps every leaf of vma overlapping [from, to). `keepCows` keeps private anon copies, as
   * unmap_mapping_pages(..., even_cows = false) does; munmap/exit zap everything.
   */
  zapRange(vma: Vma, from: number, to: number, cause: CauseId, keepCows = false, deferred?: number[]): void {
    // leavesInOrder gives a new array: zapping deletes from the tables. Zapping one leaf removes no
    // other (the folio and memory-type paths it runs never reach a page table), so every leaf of it is
    // still in its table when its turn comes and needs no second lookup.
    for (const leaf of this.leavesInOrder(vma, from, to)) if (!(keepCows && leaf.kind === 'anon')) this.zapPresent(vma, leaf, cause, deferred)
  }

  /**
   * The leaves of vma overlapping [from, to) at `levels`, in address order across levels, as the
   * kernel's page-table walks visit them (address-order.ts): unmap_page_range() goes down from each PUD to
   * its PMDs and from each PMD to its PTEs, so a huge leaf comes between the PTEs below and above it.
   * Leaves never overlap, so their first addresses order them. A new array.
   */
  leavesInOrder(vma: Vma, from: number, to: number, levels: readonly Level[] = LEAF_LEVELS): Leaf[] {
    let total = 0
    for (const level of levels) total += vma.tables[level].size
    const leaves: Leaf[] = []
    const starts = new Float64Array(total)
    let n = 0
    for (const level of levels) {
      const size = this.levelSizeOrZero(level)
      if (size === 0) continue
      for (const leaf of vma.tables[level].values()) {
        const start = leaf.index * size
        if (start >= to || start + size <= from) continue
        leaves.push(leaf)
        starts[n++] = start
      }
    }
    return inAddressOrder(leaves, starts, this.arch.pageSize)
  }

  /**
   * unmap_mapping_pages(mapping, start, nr, even_cows=false): zaps every shared-mapping leaf of file
   * pages [from, to) in every task. unmap_mapping_range_tree() walks the file's i_mmap (i-mmap.ts), so
   * it works without page rmap in the legacy scheme, and visits the VMAs in i_mmap order.
   */
  unmapMappingPages(file: DaxFile, from: number, to: number, cause: CauseId, deferred?: number[]): void {
    const page = this.arch.pageSize
    for (const vma of file.iMmap.inOrder()) {
      const vmaPages = (vma.end - vma.start) / page
      const lo = Math.max(from, vma.pgoff)
      const hi = Math.min(to, vma.pgoff + vmaPages)
      if (lo >= hi) continue
      this.zapRange(vma, vma.start + (lo - vma.pgoff) * page, vma.start + (hi - vma.pgoff) * page, cause, true, deferred)
    }
  }

  /** Does a DAX leaf of vma map pfn? (collect_procs without rmap: the legacy scheme has no mapcount.) */
  vmaMapsPfn(vma: Vma, pfn: number): boolean {
    for (const level of ['pte', 'pmd', 'pud'] as const) {
      const pages = this.levelSizeOrZero(level) / this.arch.pageSize
      for (const leaf of vma.tables[level].values()) if (leaf.kind === 'dax' && pfn >= leaf.pfn && pfn < leaf.pfn + pages) return true
    }
    return false
  }

  /** The pfn addr reaches through a leaf found by lookup(): the leaf's first pfn plus the page offset. */
  pfnAt(leaf: Leaf, addr: number): number {
    const size = this.levelSizeOrZero(leaf.level)
    // addr's offset in the leaf by subtraction: `addr % size` on addresses above 2^32 is a double
    // fmod, the costliest line of a GUP page. Same value whenever the leaf covers addr.
    const offset = addr - leaf.index * size
    if (offset >= 0 && offset < size) return leaf.pfn + Math.floor(offset / this.arch.pageSize)
    return leaf.pfn + Math.floor((addr % size) / this.arch.pageSize)
  }

  /** folio->mapping/index as DAX association sets them: the file and index whose entry covers pfn. */
  ownerOf(pfn: number): { file: DaxFile; index: number } | undefined {
    for (const fs of this.filesystems) {
      for (const file of fs.files.values()) {
        for (const entry of file.entries.values()) {
          if (entry.pfn !== undefined && pfn >= entry.pfn && pfn < entry.pfn + 2 ** entry.order) return { file, index: entry.index + (pfn - entry.pfn) }
        }
      }
    }
    return undefined
  }

  describePfn(pfn: number): string {
    const region = this.folios.regionOf(pfn)
    return region ? `${hex(pfn)} (${region.name}+${hex((pfn - region.basePfn) * this.arch.pageSize)})` : hex(pfn)
  }
}
