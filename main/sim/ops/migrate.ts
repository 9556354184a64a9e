/**
 * Migration between system RAM and driver device memory (mm/migrate_device.c migrate_vma_setup() /
 * migrate_vma_pages() / migrate_vma_finalize(), as lib/test_hmm.c drives them), the CPU fault on a
 * device-private entry (mm/memory.c do_swap_page() -> pgmap->ops->migrate_to_ram()), and the
 * FOLL_LONGTERM migration of device-coherent pages (mm/gup.c migrate_longterm_unpinnable_folios() ->
 * migrate_device_coherent_folio()). Reference counts follow the kernel's steps; the system RAM side
 * has no folio records (ops/anon.ts).
 */
import type { StepArgs } from '../../formats/scenario'
import { cause } from '../causes'
import { hex, type Folio } from '../folios'
import type { RegionState } from '../memory'
import type { Leaf, Task, Vma } from '../mm'
import { SimError, type Simulation } from '../sim'
import { installDevicePrivate, mappersOf, residence } from './device-leaf'
import type { OpOutcome } from './outcome'

const C = {
  tryget: cause('zone_device_page_init: percpu_ref_tryget_live'),
  setCount: cause('zone_device_page_init: set_page_count(page, 1)'),
  collectClear: cause('migrate_vma_collect_pmd: migration entry'),
  splitPmd: cause('migrate_vma_collect_pmd: split_huge_pmd'),
  splitPte: cause('__split_huge_pmd_locked: PTE of the split THP'),
  migrationGet: cause('remove_migration_pte: folio_get'),
  migrationRmap: cause('remove_migration_pte: folio_add_anon_rmap_pte'),
  migrationEntry: cause('remove_migration_pte: device-private swap entry'),
  migrationPte: cause('remove_migration_pte: device-coherent PTE'),
  insertRmap: cause('migrate_vma_insert_page: folio_add_new_anon_rmap'),
  insertGet: cause('migrate_vma_insert_page: folio_get'),
  insertEntry: cause('migrate_vma_insert_page: device-private swap entry'),
  insertPte: cause('migrate_vma_insert_page: device-coherent PTE'),
  finalizeDst: cause('migrate_device_finalize: folio_put (the driver\'s allocation reference)'),
  swapGet: cause('do_swap_page: get_page'),
  swapPut: cause('do_swap_page: put_page (after migrate_to_ram)'),
  collectGet: cause('migrate_vma_collect_pmd: folio_get'),
  unmapRmap: cause('try_to_migrate_one: folio_remove_rmap_pte'),
  unmapPut: cause('try_to_migrate_one: folio_put'),
  unmapClear: cause('try_to_migrate_one: migration entry'),
  ramPte: cause('remove_migration_pte: system RAM page'),
  finalizeSrc: cause('migrate_device_finalize: folio_put (source)'),
}

/** The driver's device for `device` (or the only one): a device-private or device-coherent region. */
export function driverDevice(sim: Simulation, device: string | undefined, field: string): RegionState {
  if (device !== undefined) {
    const region = sim.region(device)
    if (!region.memtype.migrationTarget) throw new SimError('EINVAL', `${field}: region '${device}' is ${region.type}, not device-private or device-coherent memory`)
    return region
  }
  const devices = sim.regions.filter((r) => r.memtype.migrationTarget)
  if (devices.length !== 1) throw new SimError('EINVAL', `${field}: name the device (${devices.length === 0 ? 'the profile has no device-private or device-coherent region' : devices.map((r) => r.name).join(', ')})`)
  return devices[0]!
}

/**
 * zone_device_page_init() on a page the driver takes from its pool (dmirror_devmem_alloc_page()):
 * WARN_ON_ONCE(!percpu_ref_tryget_live(&pgmap->ref)), set_page_count(page, 1), lock_page().
 */
function allocateDevicePage(sim: Simulation, device: RegionState): Folio | undefined {
  if (!device.alive) return undefined
  const pfn = device.pool!.allocate(1)
  if (pfn === undefined) return undefined
  const folio = sim.folios.folio(pfn)
  if (sim.folios.refcount[folio]! !== 0) sim.trace.violation('kernel_warning', `zone_device_page_init: page ${hex(pfn)} handed out with refcount ${sim.folios.refcount[folio]!}`, pfn)
  sim.folios.pgmapRef(device.pgmap!, 1, C.tryget)
  sim.folios.ref(folio, 1, C.setCount)
  return folio
}

/** migrate_vma_collect_pmd(): a THP (or the huge zero PMD) is split before its pages are collected. */
function splitAnonPmd(sim: Simulation, vma: Vma, leaf: Leaf): void {
  const { pmdPages, pageSize, pmdSize } = sim.arch
  const start = leaf.index * pmdSize
  sim.zapLeaf(vma, 'pmd', leaf.index, C.splitPmd)
  for (let i = 0; i < pmdPages; i++) {
    const zero = leaf.kind === 'zero'
    sim.install(vma, 'pte', start + i * pageSize, zero ? sim.zeroPfn : leaf.pfn + i, leaf.kind, { write: leaf.write, dirty: leaf.dirty, special: zero, devmap: false }, false, C.splitPte)
  }
}

/** One page to `device`: true when it was collected and migrated (MIGRATE_PFN_MIGRATE stayed set). */
function pageToDevice(sim: Simulation, vma: Vma, addr: number, device: RegionState, notes: string[], i: number): boolean {
  let leaf = sim.lookup(vma, addr)
  if (leaf && leaf.level === 'pmd') {
    splitAnonPmd(sim, vma, leaf)
    notes.push(`page ${i}: THP split (migrate_vma_collect_pmd)`)
    leaf = sim.lookup(vma, addr)
  }
  // Already device memory: MIGRATE_VMA_SELECT_SYSTEM does not collect device-private or coherent pages.
  if (leaf && leaf.kind !== 'anon' && leaf.kind !== 'zero') return false
  const folio = allocateDevicePage(sim, device)
  if (folio === undefined) {
    notes.push(`page ${i}: no device page (${device.alive ? 'device memory exhausted' : 'device unbound'}), not migrated`)
    return false
  }
  const pfn = sim.folios.head[folio]!
  const private_ = device.type === 'device-private'
  // dmirror_migrate_alloc_and_copy(): MIGRATE_PFN_WRITE from the source, or VM_WRITE for a hole / zero page.
  const write = leaf && leaf.kind === 'anon' ? leaf.write : true
  if (leaf) {
    // A present page or the zero page: collected, replaced by a migration entry, unmapped.
    sim.zapLeaf(vma, 'pte', leaf.index, C.collectClear)
    sim.folios.ref(folio, 1, C.migrationGet)
    sim.folios.map(folio, 1, C.migrationRmap)
    if (private_) installDevicePrivate(sim, vma, addr, pfn, write, C.migrationEntry)
    else sim.install(vma, 'pte', addr, pfn, 'device', { write, dirty: false, special: false, devmap: false }, true, C.migrationPte)
  } else {
    // migrate_vma_collect_hole(): pte_none in an anonymous VMA migrates to a fresh device page.
    sim.folios.map(folio, 1, C.insertRmap)
    sim.folios.ref(folio, 1, C.insertGet)
    if (private_) installDevicePrivate(sim, vma, addr, pfn, write, C.insertEntry)
    else sim.install(vma, 'pte', addr, pfn, 'device', { write, dirty: false, special: false, devmap: false }, true, C.insertPte)
  }
  vma.anonVma = true
  sim.folios.put(folio, 1, C.finalizeDst)
  return true
}

/**
 * A device page back to system RAM, in every process mapping it: the migration unmaps it through the
 * rmap walk (try_to_migrate_one(): folio_remove_rmap_pte + folio_put per mapping, a migration entry
 * in its place), copies it to a new RAM page, and remove_migration_pte() maps that page where the
 * entries were, writable where they were. The collect reference goes in migrate_device_finalize();
 * the last put frees the device page (free_zone_device_folio(): page_free + put_dev_pagemap).
 * `extraGet`: the reference the caller already holds (converted pin, do_swap_page's get_page).
 */
export function deviceToRam(sim: Simulation, pfn: number, collectGet = true): void {
  const folio = sim.folios.folio(pfn)
  if (collectGet) sim.folios.ref(folio, 1, C.collectGet)
  const ram = sim.anonPage()
  for (const m of mappersOf(sim, pfn)) {
    const { vma, leaf } = m
    const addr = leaf.index * sim.arch.pageSize
    sim.zapLeaf(vma, 'pte', leaf.index, C.unmapClear)
    // zapLeaf dropped the rmap and the mapping's reference; the kernel names them try_to_migrate_one's.
    sim.install(vma, 'pte', addr, ram, 'anon', { write: leaf.write, dirty: leaf.write, special: false, devmap: false }, false, C.ramPte)
  }
  sim.folios.put(folio, 1, C.finalizeSrc)
}

/**
 * do_swap_page() on a device-private entry: get_page(vmf->page), pgmap->ops->migrate_to_ram(vmf)
 * (test_hmm: dmirror_devmem_fault() -> migrate_vma_setup(MIGRATE_VMA_SELECT_DEVICE_PRIVATE)), then
 * put_page().
 */
export function migrateToRamFault(sim: Simulation, leaf: Leaf, notes: string[]): void {
  const folio = sim.folios.folio(leaf.pfn)
  const region = sim.folios.region(folio).name
  sim.folios.ref(folio, 1, C.swapGet)
  deviceToRam(sim, leaf.pfn)
  sim.folios.put(folio, 1, C.swapPut)
  notes.push(`pte: device-private entry (${region}): do_swap_page -> migrate_to_ram`)
}

/** `migrate {map, offset, pages, to, device}`: HMM_DMIRROR_MIGRATE_TO_DEV or _TO_SYS of lib/test_hmm.c. */
export function migrate(sim: Simulation, task: Task, args: StepArgs<'migrate'>, notes: string[]): OpOutcome {
  const vma = sim.vma(task, args.map)
  const page = sim.arch.pageSize
  if (args.offset % page !== 0) throw new SimError('EINVAL', `offset ${args.offset} is not page aligned`)
  const first = vma.start + args.offset
  // dmirror_migrate_*(): vma_lookup() for every address; a range the VMA does not cover is -EINVAL.
  if (first + args.pages * page > vma.end) throw new SimError('EINVAL', `pages: ${args.pages} pages from offset ${args.offset} run past the end of mapping '${args.map}'`)
  // migrate_vma_setup(): DAX VMAs and VM_SPECIAL (VM_MIXEDMAP p2pmem, device DAX) are -EINVAL.
  if (vma.file || vma.device) throw new SimError('EINVAL', `map: migrate_vma_setup: mapping '${args.map}' is ${vma.file ? 'a DAX file (vma_is_dax)' : `${vma.device!.type} memory (VM_MIXEDMAP / vma_is_dax)`}, only anonymous memory migrates`)
  const device = driverDevice(sim, args.device, 'device')
  sim.work.require(args.pages, `migrate of ${args.pages} pages`)
  let migrated = 0
  for (let i = 0; i < args.pages; i++) {
    const addr = first + i * page
    sim.work.charge(1, 'migrate_vma')
    if (args.to === 'device') {
      // migrate_vma_collect_hole(): only anonymous VMAs migrate holes; a shared anonymous mapping is
      // shmem, whose pages (and holes) are skipped: "only support anonymous memory".
      if (vma.shared) continue
      if (pageToDevice(sim, vma, addr, device, notes, i)) migrated++
      continue
    }
    // To system RAM: MIGRATE_VMA_SELECT_DEVICE_PRIVATE / _COHERENT with pgmap_owner = this device.
    const leaf = sim.lookup(vma, addr)
    if (!leaf || (leaf.kind !== 'device' && leaf.kind !== 'device-private')) continue
    if (sim.folios.regionOf(leaf.pfn) !== device) continue
    deviceToRam(sim, leaf.pfn)
    migrated++
  }
  const resides = Array.from({ length: args.pages }, (_, i) => residence(sim, task, first + i * page))
  if (args.to === 'ram') {
    // dmirror_migrate_to_system(): cpages counts the pages migrated.
    return { status: 'ok', message: `${migrated} pages migrated to system RAM`, extra: { cpages: migrated, resides } }
  }
  // dmirror_migrate_to_device() reads the range back from the device (dmirror_do_read): cpages counts
  // pages up to the first one not on this device, which makes the ioctl fail with -ENOENT.
  let cpages = 0
  while (cpages < args.pages && resides[cpages] === device.name) cpages++
  if (cpages < args.pages) {
    return { status: 'error', error: 'ENOENT', message: `page ${cpages} is not on ${device.name} (${resides[cpages]}): dmirror_do_read found no device page; ${migrated} pages migrated`, extra: { cpages, resides } }
  }
  return { status: 'ok', message: `${migrated} pages migrated to ${device.name}`, extra: { cpages, resides } }
}

/**
 * FOLL_LONGTERM on a device-coherent page (mm/gup.c): the pin taken by __get_user_pages() is
 * converted to a normal reference (folio_get + gup_put_folio(FOLL_PIN)), migrate_device_coherent_folio()
 * moves the page to system RAM and migrate_device_finalize() drops that reference; GUP then retries
 * and pins the RAM page. Returns the pfn of the RAM page.
 */
export function longtermMigrateCoherent(sim: Simulation, folio: Folio, notes: string[], i: number): void {
  const pfn = sim.folios.head[folio]!
  sim.folios.ref(folio, 1024, LONGTERM.pin)
  sim.folios.ref(folio, 1, LONGTERM.get)
  sim.folios.put(folio, 1024, LONGTERM.unpin)
  deviceToRam(sim, pfn, false)
  notes.push(`page ${i}: device-coherent ${hex(pfn)} is not longterm pinnable: migrated to system RAM (check_and_migrate_movable_pages), pin retried there`)
}

const LONGTERM = {
  pin: cause('gup-slow: try_grab_folio(FOLL_PIN): GUP_PIN_COUNTING_BIAS'),
  get: cause('migrate_longterm_unpinnable_folios: folio_get'),
  unpin: cause('migrate_longterm_unpinnable_folios: gup_put_folio(FOLL_PIN)'),
}
