/**
 * Dan Williams' 2022 proposal, "[PATCH v3 00/25] Fix the DAX-gup mistake" (linux-mm, 2022-10-14,
 * never merged): the dev_pagemap reference moves from GUP time to map time. Only kernels with the
 * `pgmap-request-folios` switch come here (the proposal-2022 model, kernel-model.ts NAMED_MODELS).
 *
 * v3 10/25 "fsdax: Introduce pgmap_request_folios()":
 * - dax_associate_entry() (fs/dax.c, at dax_insert_entry() time) calls pgmap_request_folios() for each
 *   folio of a new entry: folio_ref_inc(), then percpu_ref_tryget(&pgmap->ref) only when the count has
 *   become 1.
 * - dax_zap_pages() (the busy scan) calls pgmap_release_folios() once per entry (the DAX_ZAP bit
 *   says it was done): put_devmap_managed_page() or folio_put(), then put_dev_pagemap() only when the
 *   count is 0.
 * v3 23/25 "mm/memremap_pages: Initialize all ZONE_DEVICE pages to start at refcount 0" (switch
 * `zone-device-refcount-zero`): pages idle at 0, free_zone_device_page() drops the pgmap reference,
 * and pgmap_release_folios() becomes a plain folio_put().
 *
 * Jason Gunthorpe's review of 10/25 ("Re: [PATCH v3 10/25] fsdax: Introduce pgmap_request_folios()",
 * 2022-10-17): a folio that does not have 0 references at request time is a caller bug, and racy with
 * transient references (a 2 -> 1 right after the inc); and a release that finds a transient reference
 * loses the put_dev_pagemap(). The lab reports the first as a `pgmap_ref_unbalanced` finding at the
 * request, sequentially (10/25's pages idle at 1) or raced (scenario race-p2022-request-transient: the
 * explorer splits the inc from the read, main/explore/ops/proposal-2022-windows.ts). The second has no
 * form in either posted state, sequential or raced (race-p2022-release-transient): at 10/25 no FS DAX
 * request takes a pgmap reference (the pages still hold their init reference), so a release has none
 * to lose; from 23/25 the put_dev_pagemap() is in the free path, which runs whenever the last
 * reference goes.
 *
 * The v3 series runs on a 6.1 base, where FS DAX folios are order 0 (dax_for_each_folio visits one
 * folio per page of the entry).
 */
import { cause } from './causes'
import type { DaxEntry } from './daxfs'
import { hex, type Folio } from './folios'
import type { Simulation } from './sim'

const C = {
  request: cause('dax_associate_entry: pgmap_request_folios -> folio_ref_inc'),
  tryget: cause('pgmap_request_folios: percpu_ref_tryget(&pgmap->ref) (count became 1)'),
  release: cause('dax_zap_pages: pgmap_release_folios -> put'),
  releasePgmap: cause('pgmap_release_folios: put_dev_pagemap (count reached 0)'),
}

/**
 * The DAX_ZAP bit of an entry's value ("fsdax: Introduce dax_zap_mappings()", v3): set by the first
 * dax_zap_pages() on the entry, so it is released once. Entries are per simulation objects, so one
 * WeakSet serves every run without keeping any alive.
 */
const zapped = new WeakSet<DaxEntry>()

export function requestsFolios(sim: Simulation): boolean {
  return sim.kernel.pgmapRequest !== 'off'
}

/**
 * The windows of the posted code, for the interleaving explorer (main/explore/ops/proposal-2022-windows.ts).
 * pgmap_request_folios() reads the count after its folio_ref_inc() (`folio_ref_inc(iter); if
 * (folio_ref_count(iter) == 1) percpu_ref_tryget(&pgmap->ref)`), and pgmap_release_folios() after its
 * put (`folio_put(iter); if (!folio_ref_count(iter)) put_dev_pagemap(pgmap)`): another CPU can change
 * the count in between. While a simulation defers, the inc and the put run where the engine calls
 * them and the reads wait in a queue the explorer runs as the next atomic step. Sequential runs never
 * defer: both halves run at once, as before.
 */
export interface DeferredCheck {
  readonly kind: 'request' | 'release'
  readonly entry: DaxEntry
}

const deferring = new WeakMap<Simulation, DeferredCheck[]>()

/** From now on the count reads of request/release wait in a queue (takeDeferredChecks empties it). */
export function deferChecks(sim: Simulation): void {
  deferring.set(sim, [])
}

/** Stops deferring and returns the reads that were queued, in order. */
export function takeDeferredChecks(sim: Simulation): DeferredCheck[] {
  const queued = deferring.get(sim) ?? []
  deferring.delete(sim)
  return queued
}

/** The second half of a request or release: the count read and what it decides. */
export function runCheck(sim: Simulation, check: DeferredCheck, raced: boolean): void {
  if (check.kind === 'request') requestCheck(sim, check.entry, raced)
  else for (let pfn = check.entry.pfn!; pfn < check.entry.pfn! + 2 ** check.entry.order; pfn++) releaseCheck(sim, sim.folios.folio(pfn))
}

/** pgmap_request_folios() on each folio of a newly associated entry (dax_associate_entry). */
export function requestEntry(sim: Simulation, entry: DaxEntry): void {
  if (entry.pfn === undefined || !requestsFolios(sim)) return
  const pages = 2 ** entry.order
  sim.work.charge(pages, `pgmap_request_folios on ${pages} folios`)
  const queue = deferring.get(sim)
  if (!queue) return requestCheck(sim, entry, false, true)
  // The explorer's window: every folio's inc now, the reads in the next atomic step (for a PMD entry
  // of order-0 folios the lab's window spans all of its incs; the kernel's is per folio).
  for (let pfn = entry.pfn; pfn < entry.pfn + pages; pfn++) sim.folios.ref(sim.folios.folio(pfn), 1, C.request)
  queue.push({ kind: 'request', entry })
}

/** `if (folio_ref_count(iter) == 1) percpu_ref_tryget(&pgmap->ref)` for each folio of the entry. */
function requestCheck(sim: Simulation, entry: DaxEntry, raced: boolean, inc = false): void {
  const pages = 2 ** entry.order
  let busy = 0
  let firstBusy = 0
  let busyCount = 0
  for (let pfn = entry.pfn!; pfn < entry.pfn! + pages; pfn++) {
    const folio = sim.folios.folio(pfn)
    const pgmap = sim.folios.region(folio).pgmap
    if (inc) sim.folios.ref(folio, 1, C.request)
    if (sim.folios.refcount[folio]! === 1) {
      if (pgmap) sim.folios.pgmapRef(pgmap, 1, C.tryget)
    } else if (busy++ === 0) {
      firstBusy = pfn
      busyCount = sim.folios.refcount[folio]! - 1
    }
  }
  if (busy === 0) return
  // One finding per entry: a PMD entry of 512 pages holding their init reference is one mistake.
  const why = raced
    ? `another reference was taken between its folio_ref_inc() and the count read (${hex(firstBusy)} read ${busyCount + 1}), so no pgmap reference was taken although the page was free; when that transient reference drops, the mapped page holds no pgmap reference and its free drops one never taken ` +
      `(J. Gunthorpe, 2022-10-17: "this looks racy because if you assume transient refs are now allowed then their could be a 2->1 transition immediately after ref_inc")`
    : `${busy} of ${pages} folio(s) already held references (${hex(firstBusy)} had ${busyCount}), so no pgmap reference was taken for them; ` +
      `a later put that frees them drops one never taken, or the pgmap is not pinned while they are mapped (J. Gunthorpe, 2022-10-17: "if the folio doesn't have 0 ref at this point it is a caller bug")`
  sim.trace.violation('pgmap_ref_unbalanced', `pgmap_request_folios: ${why}`, firstBusy)
}

/** dax_zap_pages(): pgmap_release_folios() once per entry (the DAX_ZAP bit), before the idle check. */
export function releaseEntry(sim: Simulation, entry: DaxEntry): void {
  if (entry.pfn === undefined || !requestsFolios(sim) || zapped.has(entry)) return
  zapped.add(entry)
  const pages = 2 ** entry.order
  sim.work.charge(pages, `pgmap_release_folios on ${pages} folios`)
  const queue = sim.kernel.pgmapRequest === 'posted' ? deferring.get(sim) : undefined
  for (let pfn = entry.pfn; pfn < entry.pfn + pages; pfn++) {
    // 23/25: a plain folio_put(); the free at 0 drops the pgmap reference (folios.ts).
    const folio = sim.folios.folio(pfn)
    sim.folios.put(folio, 1, C.release)
    if (sim.kernel.pgmapRequest === 'posted' && !queue) releaseCheck(sim, folio)
  }
  // The explorer's window (posted only: 23/25 has no read after the put).
  if (queue) queue.push({ kind: 'release', entry })
}

/**
 * 10/25 as posted: `if (!folio_ref_count(iter)) put_dev_pagemap(pgmap)` after the put. On the 6.1 base
 * the count never reaches 0 here (the init reference stays), and no request took a pgmap reference
 * either: nothing is lost. A transient reference held across the put would make this read non-zero
 * and skip the put_dev_pagemap() (J. Gunthorpe's "we have now lost the put_dev_pagemap()"), but only
 * on a count that can reach 0, which the series reached only with 23/25, where this read is gone.
 */
function releaseCheck(sim: Simulation, folio: Folio): void {
  const pgmap = sim.folios.region(folio).pgmap
  if (sim.folios.refcount[folio]! === 0 && pgmap) sim.folios.pgmapRef(pgmap, -1, C.releasePgmap)
}

/** Was the entry released by a zap (the DAX_ZAP bit)? "fsdax: Validate DAX layouts broken before truncate" WARNs if not. */
export function entryZapped(entry: DaxEntry): boolean {
  return zapped.has(entry)
}
