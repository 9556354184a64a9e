/**
 * Sparse folio state: only folios whose counts left their idle values (or that were probed) have a
 * record. Every change goes through here so it is traced and checked.
 */
import { cause, causeText, derive, type CauseId } from './causes'
import type { FolioColumns, FolioResult, ViolationKind } from './result'
import { EventKind } from './events'
import type { KernelModel } from './kernel-model'
import type { Pgmap, RegionState } from './memory'
import type { Trace } from './trace'
import { DENSE_FOLIOS, DenseSlots } from './dense-slots'
import { SlotMap } from './slot-map'

/** mm.h: GUP_PIN_COUNTING_BIAS (1U << 10); small folios count a pin as 1024 references. */
export const GUP_PIN_COUNTING_BIAS = 1024

/** Causes this file writes, interned once. */
const C = {
  pgmapDone: cause('dev_pagemap_percpu_release: complete(&pgmap->done)'),
  free: Object.fromEntries(['FS_DAX', 'GENERIC', 'PRIVATE', 'COHERENT', 'PCI_P2PDMA', 'ram'].map((t) => [t, cause(`free_zone_device_folio (${t})`)])) as Record<string, CauseId>,
}

/**
 * 2^order, the pages of a folio of that order. A shift where it is exact (every order a folio has:
 * PUD order is below 31 on every arch) rather than `2 ** order`: with an exponent only known at run
 * time, `**` is a call to pow(), ~150 ns against ~7 ns for the shift (node 20, measured), and folio()
 * asks it on every lookup that misses its one-folio cache.
 */
export function orderPages(order: number): number {
  return order < 31 ? 1 << order : 2 ** order
}

/**
 * A folio: its slot in the FolioTable's columns. Slots are dense (one per folio record, in the order
 * records are made) and start at 1, so a slot is never falsy.
 */
export type Folio = number

/** The dense indexes are walked in order (FolioTable.touched) when that reads at most this many slots per record. */
const WALK_READS_PER_RECORD = 16

/**
 * Folio state as struct-of-arrays: typed-array columns indexed by a dense slot, behind a sparse map
 * from head pfn to slot, so memory is proportional to the folios touched and a count change is an
 * array store. Columns grow by doubling (amortised, and only with new folios).
 */
export class FolioTable {
  /** Head pfn -> slot of the records in regions without a dense index (FS DAX, large regions). */
  private readonly slots = new SlotMap()
  /** Records in regions with a dense index (never removed: their folios never change extent). */
  private denseRecords = 0
  private next: Folio = 1
  private capacity = 64
  head = new Float64Array(this.capacity)
  order = new Uint8Array(this.capacity)
  refcount = new Float64Array(this.capacity)
  mapcount = new Float64Array(this.capacity)
  pincount = new Float64Array(this.capacity)
  /** References taken by GUP and not yet released: the lab's view of DMA in flight (not a kernel field). */
  gupRefs = new Float64Array(this.capacity)
  private regionIndex = new Uint16Array(this.capacity)
  /** Index in `regions` of the region regionOf() found last (-1: none yet). */
  private lastRegion = -1
  /**
   * Per region, its dense slot index (dense-slots.ts) where its folio extents are fixed and few enough;
   * undefined for the others, whose records are in `slots`. A record is in exactly one of the two.
   */
  private readonly dense: (DenseSlots | undefined)[]
  /** Per region: does its memory type intercept folio puts (MemoryType.interceptPut)? */
  private readonly intercepts: boolean[]
  /**
   * The folio folio() found last and the pfns it covers, [lastFrom, lastTo): a GUP or a release walks
   * the pages of one folio in a row. Cleared wherever a folio's extent changes (makeLarge, split).
   */
  private lastSlot: Folio = 0
  private lastFrom = 0
  private lastTo = 0
  /**
   * pfns that were page[1] of a large FS DAX folio split without folio_reset_order() (the
   * `folio-reset-order` switch off): their flags still hold the old order and _nr_pages overlays
   * memcg_data (D. Hildenbrand's fix of 38607c62b34b, April 2025).
   */
  private readonly staleTails = new Set<number>()
  /** Indexes of `regions` by base pfn (regions never overlap). */
  private readonly regionsByPfn: readonly number[]

  constructor(
    private readonly regions: readonly RegionState[],
    /** The kernel modelled (the memory-type modules read its switches and derived rules). */
    readonly kernel: KernelModel,
    private readonly trace: Trace,
    /** PMD_ORDER of the arch variant: the order FS DAX folios take when built on demand. */
    readonly pmdOrder: number,
  ) {
    // FS DAX folio extents change (makeLarge, split): its regions keep the Map alone.
    this.intercepts = regions.map((r) => r.memtype.interceptPut !== undefined)
    this.dense = regions.map((r) => (r.type !== 'fsdax' && r.nrPages / r.staticPages <= DENSE_FOLIOS ? new DenseSlots(r.basePfn, r.staticPages, r.nrPages / r.staticPages) : undefined))
    this.regionsByPfn = regions.map((_, i) => i).sort((a, b) => regions[a]!.basePfn - regions[b]!.basePfn)
  }

  regionOf(pfn: number): RegionState | undefined {
    const i = this.regionIndexOf(pfn)
    return i < 0 ? undefined : this.regions[i]
  }

  /** Index in `regions` of the region holding pfn, or -1. */
  private regionIndexOf(pfn: number): number {
    // Most lookups hit the region of the one before.
    const last = this.lastRegion
    if (last >= 0 && this.regions[last]!.contains(pfn)) return last
    for (let i = 0; i < this.regions.length; i++) {
      if (this.regions[i]!.contains(pfn)) {
        this.lastRegion = i
        return i
      }
    }
    return -1
  }

  /** The slot of the record whose head is `head` in region `i`, or undefined. */
  private slotOf(i: number, head: number): Folio | undefined {
    const dense = this.dense[i]
    const f = dense === undefined ? this.slots.get(head) : dense.get(head)
    return f === 0 ? undefined : f
  }

  /** The region a folio lives in. */
  region(f: Folio): RegionState {
    return this.regions[this.regionIndex[f]!]!
  }

  /** The folio holding pfn, materialised with its idle counts on first touch. */
  folio(pfn: number): Folio {
    if (pfn >= this.lastFrom && pfn < this.lastTo) return this.lastSlot
    const i = this.regionIndexOf(pfn)
    if (i < 0) throw new Error(`pfn 0x${pfn.toString(16)} is outside every region`)
    const region = this.regions[i]!
    const head = region.folioHead(pfn, this.pmdOrder)
    const f = this.slotOf(i, head) ?? this.make(i, head)
    this.lastSlot = f
    this.lastFrom = head
    this.lastTo = head + orderPages(this.order[f]!)
    return f
  }

  /** Forgets the last folio found (its extent is about to change). */
  private forgetLast(): void {
    this.lastSlot = 0
    this.lastFrom = 0
    this.lastTo = 0
  }

  private make(i: number, head: number): Folio {
    if (this.next === this.capacity) this.grow()
    const region = this.regions[i]!
    const f = this.next++
    this.head[f] = head
    this.order[f] = region.folioOrder(head)
    this.refcount[f] = region.idleRefcount(this.kernel)
    this.regionIndex[f] = i
    const dense = this.dense[i]
    if (dense === undefined) this.slots.set(head, f)
    else {
      dense.set(head, f)
      this.denseRecords++
    }
    return f
  }

  private grow(): void {
    const n = this.capacity * 2
    const grown = <T extends Float64Array | Uint8Array | Uint16Array>(a: T, make: new (n: number) => T): T => {
      const b = new make(n)
      b.set(a as never)
      return b
    }
    this.head = grown(this.head, Float64Array)
    this.order = grown(this.order, Uint8Array)
    this.refcount = grown(this.refcount, Float64Array)
    this.mapcount = grown(this.mapcount, Float64Array)
    this.pincount = grown(this.pincount, Float64Array)
    this.gupRefs = grown(this.gupRefs, Float64Array)
    this.regionIndex = grown(this.regionIndex, Uint16Array)
    this.capacity = n
  }

  /** The folio record holding pfn if one exists; never materialises. */
  peek(pfn: number): Folio | undefined {
    const i = this.regionIndexOf(pfn)
    if (i < 0) return undefined
    return this.slotOf(i, this.regions[i]!.folioHead(pfn, this.pmdOrder))
  }

  /**
   * Folio records overlapping pfns [from, to), in pfn order. A short range (a DAX entry) probes its pfns; a long one
   * (a whole extent or region) scans the records, so neither costs more than the smaller of the two.
   */
  touchedIn(from: number, to: number): Folio[] {
    if (to - from > this.count()) {
      return Array.from(this.allRecords())
        .filter((f) => this.head[f]! + 2 ** this.order[f]! > from && this.head[f]! < to)
        .sort((a, b) => this.head[a]! - this.head[b]!)
    }
    const out: Folio[] = []
    const first = this.peek(from) // may start before `from` (a large folio)
    if (first !== undefined) out.push(first)
    for (let pfn = from; pfn < to; pfn++) {
      const f = this.recordAt(pfn)
      if (f !== undefined && f !== first) out.push(f)
    }
    return out
  }

  /** Every folio with a record, by pfn. */
  touched(): Folio[] {
    return this.denseInOrder() ? this.walkInOrder() : this.sortedByHead()
  }

  /**
   * Do the dense indexes hold their records in few enough reads to be walked in order? A walk reads
   * every block-table entry and every block made (256 slots each): a device DAX run touches most of
   * its blocks, an explorer state a few folios in a wide region.
   */
  private denseInOrder(): boolean {
    if (this.denseRecords === 0) return false
    const reads = this.dense.reduce((n, d) => n + (d?.walkCost ?? 0), 0)
    return reads <= WALK_READS_PER_RECORD * this.denseRecords
  }

  /**
   * Regions in pfn order: a dense region's records read off its index in order, a sparse region's
   * taken from all sparse heads sorted (they fall in the regions' disjoint ranges). On the bench's
   * device DAX mix (23,070 folios in one dense region) this replaced a sort and a look-up per folio.
   */
  private walkInOrder(): Folio[] {
    const sparse = new Float64Array(this.slots.size)
    let s = 0
    this.slots.forEach((head) => {
      sparse[s++] = head
    })
    sparse.sort()
    const out: Folio[] = new Array<Folio>(this.count())
    let n = 0
    let p = 0
    for (const i of this.regionsByPfn) {
      const dense = this.dense[i]
      if (dense !== undefined) {
        n = dense.writeSlots(out, n)
        continue
      }
      const end = this.regions[i]!.basePfn + this.regions[i]!.nrPages
      for (; p < sparse.length && sparse[p]! < end; p++) out[n++] = this.slots.get(sparse[p]!)
    }
    if (n !== out.length || p !== sparse.length) throw new Error(`folio walk found ${n} of ${out.length} records (${p} of ${sparse.length} sparse)`)
    return out
  }

  private sortedByHead(): Folio[] {
    // Heads are unique keys: sort them as numbers (a typed-array sort, no comparator calls), then look
    // each slot up. A run of 4 KiB faults can have tens of thousands of records.
    const all = this.allRecords()
    const n = all.length
    const heads = new Float64Array(n)
    for (let i = 0; i < n; i++) heads[i] = this.head[all[i]!]!
    heads.sort()
    const out: Folio[] = new Array<Folio>(n)
    for (let i = 0; i < n; i++) out[i] = this.recordAt(heads[i]!)!
    return out
  }

  /**
   * The run result's folio list: every record by pfn with its final counts (RunResult.folios), made
   * from resultColumns(), what the store writes the list from.
   */
  results(): FolioResult[] {
    const c = this.resultColumns()
    const out = new Array<FolioResult>(c.count)
    for (let i = 0; i < c.count; i++) {
      out[i] = { pfn: hex(c.head[i]!), order: c.order[i]!, region: c.regionNames[c.region[i]!]!, refcount: c.refcount[i]!, mapcount: c.mapcount[i]!, pincount: c.pincount[i]! }
    }
    return out
  }

  /**
   * The records of results() as columns, in pfn order: the store writes the run result's folio list
   * from them as JSON bytes without making the objects (main/store/folio-json.ts, ADR 0035).
   */
  resultColumns(): FolioColumns {
    const slots = this.touched()
    const n = slots.length
    const cols: FolioColumns = {
      count: n,
      head: new Float64Array(n),
      order: new Uint8Array(n),
      region: new Uint16Array(n),
      regionNames: this.regions.map((r) => r.name),
      refcount: new Float64Array(n),
      mapcount: new Float64Array(n),
      pincount: new Float64Array(n),
    }
    for (let i = 0; i < n; i++) {
      const f = slots[i]!
      cols.head[i] = this.head[f]!
      cols.order[i] = this.order[f]!
      cols.region[i] = this.regionIndex[f]!
      cols.refcount[i] = this.refcount[f]!
      cols.mapcount[i] = this.mapcount[f]!
      cols.pincount[i] = this.pincount[f]!
    }
    return cols
  }

  /** How many folio records exist. */
  count(): number {
    return this.slots.size + this.denseRecords
  }

  /**
   * Every record's slot, in no particular order, in an array of exactly their number (filled by
   * index: a push into a growing array costs ~90 ns here, and a device DAX run has tens of thousands).
   */
  private allRecords(): Int32Array {
    const out = new Int32Array(this.count())
    let n = 0
    this.slots.forEach((_, f) => {
      out[n++] = f
    })
    if (this.denseRecords === 0) return out
    // Records of dense regions are never removed: they are the slots made in those regions.
    for (let f = 1; f < this.next; f++) if (this.dense[this.regionIndex[f]!] !== undefined) out[n++] = f
    return out
  }

  /** The record whose head is exactly pfn, or undefined (a pfn inside a larger folio has none). */
  private recordAt(pfn: number): Folio | undefined {
    const i = this.regionIndexOf(pfn)
    if (i < 0) return undefined
    // A dense index maps every pfn of a folio to its slot: only a head pfn is a record's own key.
    const region = this.regions[i]!
    if (this.dense[i] !== undefined && (pfn - region.basePfn) % region.staticPages !== 0) return undefined
    return this.slotOf(i, pfn)
  }

  ref(f: Folio, delta: number, cause: CauseId): void {
    this.change(this.refcount, f, delta, cause, EventKind.REFCOUNT, 'refcount_underflow')
  }

  map(f: Folio, delta: number, cause: CauseId): void {
    this.change(this.mapcount, f, delta, cause, EventKind.MAPCOUNT, 'mapcount_underflow')
  }

  pin(f: Folio, delta: number, cause: CauseId): void {
    this.change(this.pincount, f, delta, cause, EventKind.PINCOUNT, 'pincount_underflow')
  }

  /** One count change: store, trace, and the underflow check of that count. */
  private change(column: Float64Array, f: Folio, delta: number, cause: CauseId, kind: EventKind, underflow: 'refcount_underflow' | 'mapcount_underflow' | 'pincount_underflow'): void {
    const before = column[f]!
    const after = before + delta
    column[f] = after
    const head = this.head[f]!
    this.trace.countEvent(kind, head, before, after, cause)
    if (after < 0) this.trace.violation(underflow, `${underflow.replace('_underflow', '')} of ${hex(head)} went to ${after} (${causeText(cause)})`, head)
  }

  /**
   * folio_put_refs() as the release modelled does it: a type may intercept the put first (legacy FS
   * DAX, memtypes/fsdax.ts); otherwise 1 -> 0 calls free_zone_device_folio().
   */
  put(f: Folio, refs: number, cause: CauseId): void {
    // Whether the type has the hook at all is known per region: the memory-type objects differ in shape,
    // and asking each one per page is a megamorphic property load on every release.
    if (this.intercepts[this.regionIndex[f]!] && this.region(f).memtype.interceptPut!(this, f, refs, cause)) return
    this.ref(f, -refs, cause)
    if (this.refcount[f]! === 0) this.freeZoneDeviceFolio(f)
  }

  /**
   * mm/memremap.c free_zone_device_folio(): the common part here (the checks the lab adds), then the
   * switch on pgmap->type, which lives in each memory-type module's free() (memtypes/).
   */
  private freeZoneDeviceFolio(f: Folio): void {
    const region = this.region(f)
    this.trace.emit(EventKind.FOLIO_FREE, this.head[f]!, 0, 0, C.free[region.pgmap?.type ?? 'ram'])
    if (this.mapcount[f]! > 0) this.trace.violation('freed_while_mapped', `folio ${hex(this.head[f]!)} freed with mapcount ${this.mapcount[f]!}`, this.head[f]!)
    if (this.pincount[f]! > 0) this.trace.violation('freed_while_pinned', `folio ${hex(this.head[f]!)} freed with pincount ${this.pincount[f]!}`, this.head[f]!)
    region.memtype.free(this, f)
  }

  /** Is patch switch `name` on in the kernel modelled (for the memory-type modules)? */
  kernelOn(name: string): boolean {
    return this.kernel.on(name)
  }

  /** wake_up_var() on a folio head (the memory-type modules' free and put paths). */
  wake(head: number, cause: CauseId): void {
    this.trace.wake(head, cause)
  }

  violation(kind: ViolationKind, message: string, pfn: number): void {
    this.trace.violation(kind, message, pfn)
  }

  pgmapRef(pgmap: Pgmap, delta: number, cause: CauseId): void {
    const before = pgmap.refs
    pgmap.refs += delta
    const index = this.regions.findIndex((r) => r.pgmap === pgmap)
    this.trace.emit(EventKind.PGMAP_REFS, index, before, pgmap.refs, derive(cause, pgmap.causeSuffix))
    // dev_pagemap_percpu_release(): the last reference of a killed pgmap completes pgmap->done, which
    // memunmap_pages() waits for; the waiter sleeps on the region's first pfn (ops/unbind.ts).
    if (pgmap.dying && pgmap.refs === 0) this.trace.wake(this.regions[index]!.basePfn, C.pgmapDone)
  }

  /** dax_folio_init(): prep_compound_page(order) on the head of an idle FS DAX range (6.15+). */
  makeLarge(region: RegionState, head: number, order: number, cause: CauseId): Folio {
    // Records inside the new folio, in the order they were made (the order the warnings come out):
    // probe the range or scan the records, whichever is smaller.
    this.forgetLast()
    // Only FS DAX folios change extent; a region with a dense index could not drop the slots below.
    if (this.dense[this.regions.indexOf(region)] !== undefined) throw new Error(`makeLarge on region '${region.name}' (${region.type}): only FS DAX folios are built on demand`)
    const size = 2 ** order
    const inside: Folio[] = []
    if (size < this.slots.size) {
      for (let pfn = head; pfn < head + size; pfn++) {
        const f = this.slots.get(pfn)
        if (f !== 0) inside.push(f)
      }
    } else {
      this.slots.forEach((pfn, f) => {
        if (pfn >= head && pfn < head + size) inside.push(f)
      })
    }
    inside.sort((a, b) => a - b) // slots are made in record order
    for (const f of inside) {
      if (this.refcount[f]! !== 0) this.trace.violation('kernel_warning', `WARN_ON_ONCE in dax_folio_init: page ${hex(this.head[f]!)} has refcount ${this.refcount[f]!}`, this.head[f]!)
      if (this.head[f]! !== head) this.slots.delete(this.head[f]!)
    }
    region.dynamicHeads.set(head, order)
    this.staleTails.delete(head + 1) // prep_compound_page() rewrites page[1]
    const folio = this.folio(head)
    const before = this.order[folio]!
    this.order[folio] = order
    this.trace.emit(EventKind.FOLIO_ORDER, head, before, order, cause)
    return folio
  }

  /**
   * A small folio about to be mapped with rmap (vmf_insert_page_mkwrite -> folio_add_file_rmap_pte ->
   * __lruvec_stat_mod_folio): if it was page[1] of a folio split without folio_reset_order(), its stale
   * memcg_data and flags are what the kernel trips over. Reported once per page.
   */
  reportStaleTail(f: Folio): void {
    // No split left a stale page (the common case): nothing to look up.
    if (this.staleTails.size === 0) return
    const pfn = this.head[f]!
    if (this.order[f]! !== 0 || !this.staleTails.delete(pfn)) return
    this.trace.violation(
      'corrupt_folio_state',
      `page ${hex(pfn)} was page[1] of a split FS DAX folio and dax_folio_put() did not folio_reset_order(): as a small folio its flags still hold the old order (it can read PG_locked) and _nr_pages overlays memcg_data, so folio_add_file_rmap_pte -> __lruvec_stat_mod_folio follows a memcg pointer that is not one`,
      pfn,
    )
  }

  /** dax_folio_put() split: folio_reset_order() back to order-0 pages, WARN if any has a reference. */
  split(f: Folio, cause: CauseId | string): void {
    if (this.order[f]! === 0) return
    this.forgetLast()
    this.region(f).dynamicHeads.delete(this.head[f]!)
    if (!this.kernel.on('folio-reset-order')) this.staleTails.add(this.head[f]! + 1)
    const before = this.order[f]!
    this.order[f] = 0
    this.trace.emit(EventKind.FOLIO_ORDER, this.head[f]!, before, 0, cause)
    if (this.refcount[f]! !== 0) {
      this.trace.violation('kernel_warning', `WARN_ON_ONCE in dax_folio_put: split folio ${hex(this.head[f]!)} has refcount ${this.refcount[f]!}`, this.head[f]!)
    }
  }
}

export function hex(n: number): string {
  return '0x' + n.toString(16)
}
