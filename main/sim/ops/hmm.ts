/**
 * A device mirroring the process's address space (mm/hmm.c hmm_range_fault(), driven as lib/test_hmm.c
 * does): `mirror` is HMM_DMIRROR_READ / _WRITE, `snapshot` is HMM_DMIRROR_SNAPSHOT. hmm_range_fault()
 * takes no page references: the device's page table (dmirror->pt) is kept coherent by the mmu
 * interval notifier, which erases entries when the CPU page table changes.
 */
import type { StepArgs } from '../../formats/scenario'
import { hex } from '../folios'
import type { Leaf, Task } from '../mm'
import { SimError, type Simulation } from '../sim'
import { residence } from './device-leaf'
import { handleFault } from './fault'
import { driverDevice } from './migrate'
import type { OpOutcome } from './outcome'

/** lib/test_hmm_uapi.h: the byte HMM_DMIRROR_SNAPSHOT reports per page. */
export const HMM_DMIRROR_PROT = {
  ERROR: 0xff,
  NONE: 0x00,
  READ: 0x01,
  WRITE: 0x02,
  PMD: 0x04,
  PUD: 0x08,
  ZERO: 0x10,
  DEV_PRIVATE_LOCAL: 0x20,
  DEV_PRIVATE_REMOTE: 0x30,
  DEV_COHERENT_LOCAL: 0x40,
  DEV_COHERENT_REMOTE: 0x50,
} as const

/**
 * dmirror->pt per (device, task): the CPU leaf each mirrored page was read from. An entry is valid while
 * the CPU page table still holds that very leaf with the same write bit (a change replaces the leaf
 * object or, for fork's write-protect, its write bit: when dmirror_interval_invalidate() would erase
 * it). Kept per simulation beside the engine's state.
 */
const MIRRORS = new WeakMap<Simulation, Map<string, Map<number, Mirrored>>>()

/** A mirrored page: the CPU leaf and its write bit when read (fork write-protects leaves in place). */
interface Mirrored {
  readonly leaf: Leaf
  readonly write: boolean
}

function mirrorTable(sim: Simulation, device: string, task: Task): Map<number, Mirrored> {
  let byKey = MIRRORS.get(sim)
  if (!byKey) MIRRORS.set(sim, (byKey = new Map()))
  const key = `${device}\u0000${task.name}`
  let table = byKey.get(key)
  if (!table) byKey.set(key, (table = new Map()))
  return table
}

function rangeStart(sim: Simulation, task: Task, map: string, offset: number): number {
  const vma = sim.vma(task, map)
  if (offset % sim.arch.pageSize !== 0) throw new SimError('EINVAL', `offset ${offset} is not page aligned`)
  return vma.start + offset
}

/**
 * HMM_DMIRROR_READ / _WRITE: dmirror_do_read() / _write() copy the pages the device already mirrors;
 * at the first page it lacks (or, writing, lacks write access to) dmirror_fault() runs
 * hmm_range_fault(HMM_PFN_REQ_FAULT [| REQ_WRITE]) over the rest of the range and the copy resumes
 * (`faults` counts those rounds). A page hmm_range_fault() must fault is handled like a CPU fault:
 * none -> do_anonymous_page, read-only + write -> COW, a device-private entry the device does not own
 * -> migrate_to_ram; its own device-private pages it uses in place.
 */
export function mirror(sim: Simulation, task: Task, args: StepArgs<'mirror'>, notes: string[]): OpOutcome {
  const device = driverDevice(sim, args.device, 'device')
  const first = rangeStart(sim, task, args.map, args.offset)
  const page = sim.arch.pageSize
  const table = mirrorTable(sim, device.name, task)
  sim.work.require(args.pages, `mirror of ${args.pages} pages`)
  let faults = 0
  let cpages = 0
  for (let i = 0; i < args.pages; i++) {
    sim.work.charge(1, 'hmm_range_fault')
    const addr = first + i * page
    const vma = task.vmaAt(addr)
    const current = vma ? sim.lookup(vma, addr) : undefined
    const cached = table.get(addr)
    if (cached !== undefined && cached.leaf === current && cached.write === current.write && (!args.write || current.write)) {
      cpages++
      continue
    }
    if (faults === 0) faults = 1
    // hmm_vma_walk_hole() with no VMA and a fault required: -EFAULT.
    if (!vma) return { status: 'error', error: 'EFAULT', message: `page ${i}: no mapping at that address (hmm_range_fault)`, extra: { cpages, faults } }
    const leaf = sim.lookup(vma, addr)
    const owned = leaf?.kind === 'device-private' && sim.folios.regionOf(leaf.pfn) === device
    if (owned && args.write && !leaf.write) {
      // hmm_vma_handle_pte(): the caller's own device-private entry is reported as it is ("Don't fault
      // in device private pages owned by the caller", goto out), so a read-only one (after fork) comes
      // back without HMM_PFN_WRITE and dmirror_do_fault() hits WARN_ON(default_flags & HMM_PFN_WRITE).
      sim.trace.violation('kernel_warning', `WARN_ON in dmirror_do_fault: ${device.name}'s own device-private page ${hex(leaf.pfn)} is mapped read-only and hmm_range_fault does not fault it for write`, leaf.pfn)
      return { status: 'error', error: 'EFAULT', message: `page ${i}: own read-only device-private entry, not faulted for write (dmirror_do_fault -> -EFAULT)`, extra: { cpages, faults } }
    }
    const usable = leaf !== undefined && (leaf.kind !== 'device-private' || owned) && (!args.write || leaf.write)
    if (!usable) {
      const signal = handleFault(sim, vma, addr, args.write, 'auto', notes)
      if (signal) return { status: 'error', error: 'EFAULT', message: `page ${i}: hmm_vma_fault: handle_mm_fault delivered ${signal}`, extra: { cpages, faults } }
    }
    const now = sim.lookup(vma, addr)
    if (!now) return { status: 'error', error: 'EFAULT', message: `page ${i}: still not mapped after the fault`, extra: { cpages, faults } }
    table.set(addr, { leaf: now, write: now.write })
    cpages++
  }
  const resides = Array.from({ length: args.pages }, (_, i) => residence(sim, task, first + i * page))
  return { status: 'ok', message: `${cpages} pages ${args.write ? 'written' : 'read'} by ${device.name}`, extra: { cpages, faults, resides } }
}

/** dmirror_mkentry() for one page of an hmm_range_fault() without faults (default_flags 0). */
function snapshotByte(sim: Simulation, task: Task, addr: number, device: string): number {
  const P = HMM_DMIRROR_PROT
  const vma = task.vmaAt(addr)
  // No VMA: hmm_vma_walk_hole() fills HMM_PFN_ERROR.
  if (!vma) return P.ERROR
  const leaf = sim.lookup(vma, addr)
  // pte_none: no HMM_PFN_VALID -> HMM_DMIRROR_PROT_NONE.
  if (!leaf) return P.NONE
  const access = leaf.write ? P.WRITE : P.READ
  const region = sim.folios.regionOf(sim.pfnAt(leaf, addr))
  if (leaf.kind === 'device-private') {
    // hmm_vma_handle_pte(): a device-private entry is valid only for its owner (range->dev_private_owner);
    // anyone else's is left as 0 when no fault is asked for.
    return region?.name === device ? P.DEV_PRIVATE_LOCAL | access : P.NONE
  }
  let perm: number = leaf.kind === 'zero' ? P.ZERO : P.NONE
  if (region?.type === 'device-coherent') perm = region.name === device ? P.DEV_COHERENT_LOCAL : P.DEV_COHERENT_REMOTE
  // hmm_pfn_to_map_order(): a PMD or PUD leaf reports its order.
  const order = leaf.level === 'pmd' ? P.PMD : leaf.level === 'pud' ? P.PUD : 0
  return perm | access | order
}

/** HMM_DMIRROR_SNAPSHOT: the flags test_hmm reports for each page; faults nothing, holds nothing. */
export function snapshot(sim: Simulation, task: Task, args: StepArgs<'snapshot'>): OpOutcome {
  const device = driverDevice(sim, args.device, 'device')
  const first = rangeStart(sim, task, args.map, args.offset)
  const page = sim.arch.pageSize
  sim.work.require(args.pages, `snapshot of ${args.pages} pages`)
  const flags: number[] = []
  const resides: string[] = []
  for (let i = 0; i < args.pages; i++) {
    flags.push(snapshotByte(sim, task, first + i * page, device.name))
    resides.push(residence(sim, task, first + i * page))
  }
  return { status: 'ok', extra: { cpages: args.pages, snapshot: flags, resides } }
}
