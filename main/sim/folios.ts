/**
 * Sparse folio state: only folios whose counts left their idle values (or that were probed) have a
 * record. Every change goes through here so it is traced and checked.
 */
import { cause, causeText, derive, type CauseId } from './causes'
import { EventKind } from './events'
import type { KernelModel } from './kernel-model'
import type { Pgmap, RegionState } from './memory'
import type { Trace } from './trace'

/** mm.h: GUP_PIN_COUNTING_BIAS (1U << 10); small folios count a pin as 1024 references. */
export const GUP_PIN_COUNTING_BIAS = 1024

/** Causes this file writes, interned once. */
const C = {
  putDevmapSuffix: cause(' (put_devmap_managed_folio_refs)'),
  putDevmapWake: cause('put_devmap_managed_folio_refs: wake_up_var(&folio->_refcount) at 1'),
  freeWake: cause('free_zone_device_folio: wake_up_var(&folio->page)'),
  setCount: cause('free_zone_device_folio: folio_set_count(folio, 1)'),
  p2pdmaFree: cause('p2pdma_page_free: percpu_ref_put'),
  putDevPagemap: cause('free_zone_device_folio: put_dev_pagemap'),
  free: Object.fromEntries(['FS_DAX', 'GENERIC', 'PRIVATE', 'COHERENT', 'PCI_P2PDMA', 'ram'].map((t) => [t, cause(`free_zone_device_folio (${t})`)])) as Record<string, CauseId>,
}

export interface Folio {
  readonly head: number
  order: number
  readonly region: RegionState
  refcount: number
  mapcount: number
  pincount: number
  /** References taken by GUP and not yet released: the lab's view of DMA in flight (not a kernel field). */
  gupRefs: number
  hwpoison: boolean
  /** When the record was made, so scans that probe pfns can report in record order. */
  readonly seq: number
}

export class FolioTable {
  private readonly folios = new Map<number, Folio>()
  private made = 0
  private lastRegion: RegionState | undefined

  constructor(
    private readonly regions: readonly RegionState[],
    private readonly kernel: KernelModel,
    private readonly trace: Trace,
    /** PMD_ORDER of the arch variant: the order FS DAX folios take when built on demand. */
    readonly pmdOrder: number,
  ) {}

  regionOf(pfn: number): RegionState | undefined {
    // Most lookups hit the region of the one before.
    const last = this.lastRegion
    if (last !== undefined && last.contains(pfn)) return last
    for (const r of this.regions) {
      if (r.contains(pfn)) {
        this.lastRegion = r
        return r
      }
    }
    return undefined
  }

  /** The folio holding pfn, materialised with its idle counts on first touch. */
  folio(pfn: number): Folio {
    const region = this.regionOf(pfn)
    if (!region) throw new Error(`pfn 0x${pfn.toString(16)} is outside every region`)
    const head = region.folioHead(pfn, this.pmdOrder)
    let folio = this.folios.get(head)
    if (!folio) {
      folio = { head, order: region.folioOrder(head), region, refcount: region.idleRefcount(this.kernel), mapcount: 0, pincount: 0, gupRefs: 0, hwpoison: false, seq: this.made++ }
      this.folios.set(head, folio)
    }
    return folio
  }

  /** The folio record holding pfn if one exists; never materialises. */
  peek(pfn: number): Folio | undefined {
    const region = this.regionOf(pfn)
    if (!region) return undefined
    return this.folios.get(region.folioHead(pfn, this.pmdOrder))
  }

  /**
   * Folio records overlapping pfns [from, to), in pfn order. A short range (a DAX entry) probes its pfns; a long one
   * (a whole extent or region) scans the records, so neither costs more than the smaller of the two.
   */
  touchedIn(from: number, to: number): Folio[] {
    if (to - from > this.folios.size) return [...this.folios.values()].filter((f) => f.head + 2 ** f.order > from && f.head < to).sort((a, b) => a.head - b.head)
    const out: Folio[] = []
    const first = this.peek(from) // may start before `from` (a large folio)
    if (first) out.push(first)
    for (let pfn = from; pfn < to; pfn++) {
      const f = this.folios.get(pfn)
      if (f && f !== first) out.push(f)
    }
    return out
  }

  /** Every folio with a record, by pfn. */
  touched(): Folio[] {
    return [...this.folios.values()].sort((a, b) => a.head - b.head)
  }

  ref(f: Folio, delta: number, cause: CauseId): void {
    const before = f.refcount
    f.refcount += delta
    this.trace.countEvent(EventKind.REFCOUNT, f.head, before, f.refcount, cause)
    if (f.refcount < 0) this.trace.violation('refcount_underflow', `refcount of ${hex(f.head)} went to ${f.refcount} (${causeText(cause)})`, f.head)
  }

  map(f: Folio, delta: number, cause: CauseId): void {
    const before = f.mapcount
    f.mapcount += delta
    this.trace.countEvent(EventKind.MAPCOUNT, f.head, before, f.mapcount, cause)
    if (f.mapcount < 0) this.trace.violation('mapcount_underflow', `mapcount of ${hex(f.head)} went to ${f.mapcount} (${causeText(cause)})`, f.head)
  }

  pin(f: Folio, delta: number, cause: CauseId): void {
    const before = f.pincount
    f.pincount += delta
    this.trace.countEvent(EventKind.PINCOUNT, f.head, before, f.pincount, cause)
    if (f.pincount < 0) this.trace.violation('pincount_underflow', `pincount of ${hex(f.head)} went to ${f.pincount} (${causeText(cause)})`, f.head)
  }

  /**
   * folio_put_refs() as the release modelled does it. Legacy FS DAX puts are intercepted by
   * put_devmap_managed_folio_refs() (mm/memremap.c __put_devmap_managed_folio_refs, <= 6.14): the
   * count drops and 2 -> 1 wakes waiters on &page->_refcount; nothing is freed. Otherwise 1 -> 0 calls
   * free_zone_device_folio().
   */
  put(f: Folio, refs: number, cause: CauseId): void {
    if (this.kernel.scheme === 'legacy' && f.region.pgmap?.type === 'FS_DAX') {
      this.ref(f, -refs, derive(cause, C.putDevmapSuffix))
      if (f.refcount === 1) this.trace.wake(f.head, C.putDevmapWake)
      else if (f.refcount === 0) {
        this.trace.violation('refcount_underflow', `legacy FS DAX page ${hex(f.head)} dropped its idle reference (idle is 1 before 6.15)`, f.head)
      }
      return
    }
    this.ref(f, -refs, cause)
    if (f.refcount === 0) this.freeZoneDeviceFolio(f)
  }

  /** mm/memremap.c free_zone_device_folio() of the release modelled (see kernel-refcount.md 1.1). */
  private freeZoneDeviceFolio(f: Folio): void {
    const type = f.region.pgmap?.type
    this.trace.emit(EventKind.FOLIO_FREE, f.head, 0, 0, C.free[type ?? 'ram'])
    if (f.mapcount > 0) this.trace.violation('freed_while_mapped', `folio ${hex(f.head)} freed with mapcount ${f.mapcount}`, f.head)
    if (f.pincount > 0) this.trace.violation('freed_while_pinned', `folio ${hex(f.head)} freed with pincount ${f.pincount}`, f.head)
    const pgmap = f.region.pgmap
    switch (type) {
      case 'FS_DAX':
        // 6.15+: wake_up_var(&folio->page); the count stays 0 and folio->mapping is kept.
        this.trace.wake(f.head, C.freeWake)
        break
      case 'GENERIC':
        this.ref(f, 1, C.setCount)
        break
      case 'PCI_P2PDMA':
        // 6.14 reset the count to 1 after page_free; 6.15+ leaves it at 0 (p2pdma_page_free only).
        if (this.kernel.scheme === 'legacy') this.ref(f, 1, C.setCount)
        if (pgmap) this.pgmapRef(pgmap, -1, C.p2pdmaFree)
        break
      case 'PRIVATE':
      case 'COHERENT':
        if (pgmap) this.pgmapRef(pgmap, -1, C.putDevPagemap)
        break
      case undefined:
        break
    }
  }

  pgmapRef(pgmap: Pgmap, delta: number, cause: CauseId): void {
    const before = pgmap.refs
    pgmap.refs += delta
    const index = this.regions.findIndex((r) => r.pgmap === pgmap)
    this.trace.emit(EventKind.PGMAP_REFS, index, before, pgmap.refs, derive(cause, pgmap.causeSuffix))
  }

  /** dax_folio_init(): prep_compound_page(order) on the head of an idle FS DAX range (6.15+). */
  makeLarge(region: RegionState, head: number, order: number, cause: CauseId): Folio {
    // Records inside the new folio, in the order they were made (the order the warnings come out):
    // probe the range or scan the records, whichever is smaller.
    const size = 2 ** order
    const inside: Folio[] = []
    if (size < this.folios.size) {
      for (let pfn = head; pfn < head + size; pfn++) {
        const f = this.folios.get(pfn)
        if (f) inside.push(f)
      }
      inside.sort((a, b) => a.seq - b.seq)
    } else {
      for (const [pfn, f] of this.folios) if (pfn >= head && pfn < head + size) inside.push(f)
    }
    for (const f of inside) {
      if (f.refcount !== 0) this.trace.violation('kernel_warning', `WARN_ON_ONCE in dax_folio_init: page ${hex(f.head)} has refcount ${f.refcount}`, f.head)
      if (f.head !== head) this.folios.delete(f.head)
    }
    region.dynamicHeads.set(head, order)
    const folio = this.folio(head)
    const before = folio.order
    folio.order = order
    this.trace.emit(EventKind.FOLIO_ORDER, head, before, order, cause)
    return folio
  }

  /** dax_folio_put() split: folio_reset_order() back to order-0 pages, WARN if any has a reference. */
  split(f: Folio, cause: CauseId | string): void {
    if (f.order === 0) return
    f.region.dynamicHeads.delete(f.head)
    const before = f.order
    f.order = 0
    this.trace.emit(EventKind.FOLIO_ORDER, f.head, before, 0, cause)
    if (f.refcount !== 0) {
      this.trace.violation('kernel_warning', `WARN_ON_ONCE in dax_folio_put: split folio ${hex(f.head)} has refcount ${f.refcount}`, f.head)
    }
  }
}

export function hex(n: number): string {
  return '0x' + n.toString(16)
}
