/**
 * The fault paths of the memory that is neither FS DAX nor device DAX, ahead of handleFault()'s DAX
 * handlers: a device-private entry (do_swap_page -> migrate_to_ram, then the access is retried),
 * first touch of anonymous memory (ops/anon.ts), and p2pmem mappings (no ->fault: every page was
 * inserted at mmap, so a missing one is SIGBUS).
 */
import type { Vma } from '../mm'
import type { Simulation } from '../sim'
import { anonFault } from './anon'
import { handleFault, type FaultSize } from './fault'
import { migrateToRamFault } from './migrate'

/** undefined: not this module's fault (the DAX handlers take it); otherwise the signal delivered. */
export function deviceFault(sim: Simulation, vma: Vma, addr: number, write: boolean, size: FaultSize, notes: string[]): { signal: string | undefined } | undefined {
  if (vma.file || vma.device?.type === 'devdax') return undefined
  const existing = sim.lookup(vma, addr)
  if (existing?.kind === 'device-private') {
    migrateToRamFault(sim, existing, notes)
    return { signal: handleFault(sim, vma, addr, write, size, notes) }
  }
  if (existing) return undefined
  if (!vma.device) return { signal: anonFault(sim, vma, addr, write, size, notes) }
  notes.push(`pte: SIGBUS (${vma.device.alive ? 'p2pmem mappings have no fault handler' : 'the device is unbound'})`)
  return { signal: 'SIGBUS' }
}
