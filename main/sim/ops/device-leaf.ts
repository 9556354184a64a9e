/**
 * Page-table leaves that point at device memory with a reference: present device pages (device-coherent
 * pages after migration, p2pmem pages inserted by p2pmem_alloc_mmap()) and non-present device-private
 * swap entries. Zap, fork and the rmap walk of migration share these helpers.
 */
import { cause, derive, type CauseId } from '../causes'
import { EventKind, LEVEL_CODES } from '../events'
import type { Leaf, Task, Vma } from '../mm'
import type { Simulation } from '../sim'

const C = {
  rmapPte: cause(': folio_remove_rmap_pte'),
  tlbPut: cause(': tlb_remove_page -> folio_put'),
  npRmap: cause(': zap_nonpresent_ptes -> folio_remove_rmap_pte'),
  npPut: cause(': zap_nonpresent_ptes -> folio_put'),
  dupAnonGet: cause('copy_present_ptes: folio_try_dup_anon_rmap_pte (folio_get)'),
  dupAnon: cause('copy_present_ptes: folio_try_dup_anon_rmap_pte'),
  dupFileGet: cause('copy_present_ptes: folio_try_dup_file_rmap (folio_get)'),
  dupFile: cause('copy_present_ptes: folio_try_dup_file_rmap'),
  npGet: cause('copy_nonpresent_pte: folio_get'),
  npDup: cause('copy_nonpresent_pte: folio_try_dup_anon_rmap_pte'),
}

export function isDeviceLeaf(leaf: Leaf): boolean {
  return leaf.kind === 'device' || leaf.kind === 'device-private'
}

/**
 * zap_pte_range(): a present device page drops its rmap and reference through the TLB batch; a
 * device-private entry goes through zap_nonpresent_ptes(): folio_remove_rmap_pte + folio_put. The
 * last reference frees the page (free_zone_device_folio(): page_free + put_dev_pagemap).
 */
export function zapDeviceLeaf(sim: Simulation, leaf: Leaf, why: CauseId): void {
  if (!leaf.counted) return
  const folio = sim.folios.folio(leaf.pfn)
  const present = leaf.kind === 'device'
  sim.folios.map(folio, -1, derive(why, present ? C.rmapPte : C.npRmap))
  sim.folios.put(folio, 1, derive(why, present ? C.tlbPut : C.npPut))
}

/**
 * fork(): copy_present_ptes() / copy_nonpresent_pte() for a device leaf. Anonymous (device-private,
 * device-coherent) pages take folio_try_dup_anon_rmap_pte() (+1 reference, +1 mapcount), and in a
 * private (COW) mapping both sides lose write access (make_readable_device_private_entry() for the
 * swap entry, ptep_set_wrprotect() for the present PTE). p2pmem pages are file pages of a shared
 * VM_MIXEDMAP mapping: folio_try_dup_file_rmap(), writable stays.
 */
export function forkDeviceLeaf(sim: Simulation, vma: Vma, leaf: Leaf): void {
  const folio = sim.folios.folio(leaf.pfn)
  const anon = leaf.kind === 'device-private' || sim.folios.region(folio).type === 'device-coherent'
  if (anon && !vma.shared && leaf.write) {
    leaf.write = false
    if (leaf.kind === 'device') leaf.raw = sim.arch.encode(leaf.level, leaf.pfn, leaf)
  }
  if (leaf.kind === 'device-private') {
    sim.folios.ref(folio, 1, C.npGet)
    sim.folios.map(folio, 1, C.npDup)
  } else {
    sim.folios.ref(folio, 1, anon ? C.dupAnonGet : C.dupFileGet)
    sim.folios.map(folio, 1, anon ? C.dupAnon : C.dupFile)
  }
}

/**
 * A device-private swap entry: non-present, so the arch has no bit layout for it in the lab (its
 * trace entry value is 0); it holds a reference and an anon rmap (remove_migration_pte()).
 */
export function installDevicePrivate(sim: Simulation, vma: Vma, addr: number, pfn: number, write: boolean, why: CauseId): Leaf {
  sim.work.charge(1, 'installing page-table entries')
  const page = sim.arch.pageSize
  const index = Math.floor(addr / page)
  const leaf: Leaf = { level: 'pte', index, pfn, kind: 'device-private', write, dirty: false, special: false, devmap: false, raw: 0n, counted: true }
  sim.setLeaf(vma, leaf)
  sim.trace.entryEvent(EventKind.ENTRY_SET, pfn, index, why, LEVEL_CODES.pte, 0n)
  return leaf
}

export interface Mapper {
  readonly task: Task
  readonly vma: Vma
  readonly leaf: Leaf
}

/** Every leaf mapping pfn, in task and VMA order: the rmap walk try_to_migrate() does. */
export function mappersOf(sim: Simulation, pfn: number): Mapper[] {
  const out: Mapper[] = []
  for (const task of sim.tasks.values()) {
    if (task.exited) continue
    for (const vma of task.vmas.values()) {
      if (vma.file) continue
      for (const leaf of vma.tables.pte.values()) if (leaf.pfn === pfn && isDeviceLeaf(leaf)) out.push({ task, vma, leaf })
    }
  }
  return out
}

/** Where the page at addr lives: `ram`, the region of a device or DAX page, or `none` when unmapped. */
export function residence(sim: Simulation, task: Task, addr: number): string {
  const vma = task.vmaAt(addr)
  const leaf = vma ? sim.lookup(vma, addr) : undefined
  if (!leaf) return 'none'
  if (leaf.kind === 'anon' || leaf.kind === 'zero') return 'ram'
  return sim.folios.regionOf(sim.pfnAt(leaf, addr))?.name ?? 'ram'
}
