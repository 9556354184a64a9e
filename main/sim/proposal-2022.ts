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
 * Jason Gunthorpe's review of 10/25 (2022-10-17): a folio that does not have 0 references at request
 * time is a caller bug, and racy with transient references (a 2 -> 1 right after the inc); and a
 * release that finds a transient reference loses the put_dev_pagemap(). The lab reports the first
 * as a `pgmap_ref_unbalanced` finding at the request. The second has no sequential form in either
 * posted state: at 10/25 no FS DAX request takes a pgmap reference (the pages still hold their init
 * reference), so a release has none to lose; from 23/25 the put_dev_pagemap() is in the free path,
 * which runs whenever the last reference goes. It needs an interleaving (the explorer's work).
 *
 * The v3 series runs on a 6.1 base, where FS DAX folios are order 0 (dax_for_each_folio visits one
 * folio per page of the entry).
 */
import { cause } from './causes'
import type { DaxEntry } from './daxfs'
import { hex } from './folios'
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

/** pgmap_request_folios() on each folio of a newly associated entry (dax_associate_entry). */
export function requestEntry(sim: Simulation, entry: DaxEntry): void {
  if (entry.pfn === undefined || !requestsFolios(sim)) return
  const pages = 2 ** entry.order
  sim.work.charge(pages, `pgmap_request_folios on ${pages} folios`)
  let busy = 0
  let firstBusy = 0
  let busyCount = 0
  for (let pfn = entry.pfn; pfn < entry.pfn + pages; pfn++) {
    const folio = sim.folios.folio(pfn)
    const pgmap = sim.folios.region(folio).pgmap
    sim.folios.ref(folio, 1, C.request)
    if (sim.folios.refcount[folio]! === 1) {
      if (pgmap) sim.folios.pgmapRef(pgmap, 1, C.tryget)
    } else if (busy++ === 0) {
      firstBusy = pfn
      busyCount = sim.folios.refcount[folio]! - 1
    }
  }
  if (busy > 0) {
    // One finding per entry: a PMD entry of 512 pages holding their init reference is one mistake.
    sim.trace.violation(
      'pgmap_ref_unbalanced',
      `pgmap_request_folios: ${busy} of ${pages} folio(s) already held references (${hex(firstBusy)} had ${busyCount}), so no pgmap reference was taken for them; ` +
        `a later put that frees them drops one never taken, or the pgmap is not pinned while they are mapped (J. Gunthorpe, 2022-10-17: "if the folio doesn't have 0 ref at this point it is a caller bug")`,
      firstBusy,
    )
  }
}

/** dax_zap_pages(): pgmap_release_folios() once per entry (the DAX_ZAP bit), before the idle check. */
export function releaseEntry(sim: Simulation, entry: DaxEntry): void {
  if (entry.pfn === undefined || !requestsFolios(sim) || zapped.has(entry)) return
  zapped.add(entry)
  const pages = 2 ** entry.order
  sim.work.charge(pages, `pgmap_release_folios on ${pages} folios`)
  for (let pfn = entry.pfn; pfn < entry.pfn + pages; pfn++) {
    const folio = sim.folios.folio(pfn)
    const pgmap = sim.folios.region(folio).pgmap
    // 23/25: a plain folio_put(); the free at 0 drops the pgmap reference (folios.ts).
    sim.folios.put(folio, 1, C.release)
    // 10/25 as posted: put_dev_pagemap() only if this put reached 0. On the 6.1 base the count never
    // does (the init reference stays), and no request took a pgmap reference either: nothing is lost.
    if (sim.kernel.pgmapRequest === 'posted' && sim.folios.refcount[folio]! === 0 && pgmap) sim.folios.pgmapRef(pgmap, -1, C.releasePgmap)
  }
}

/** Was the entry released by a zap (the DAX_ZAP bit)? "fsdax: Validate DAX layouts broken before truncate" WARNs if not. */
export function entryZapped(entry: DaxEntry): boolean {
  return zapped.has(entry)
}
