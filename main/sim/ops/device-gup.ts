/**
 * GUP on present device pages (device-coherent, p2pmem): the checks mm/gup.c makes before it grabs
 * one, asked of the page's memory type (memtypes/*.ts).
 */
import type { StepArgs } from '../../formats/scenario'
import type { Leaf } from '../mm'
import { SimError, type Simulation } from '../sim'
import { longtermMigrateCoherent } from './migrate'

/** gup_fast_pte_range(): why the fast path leaves this page to the slow path, or undefined to grab it. */
export function deviceFastBail(sim: Simulation, leaf: Leaf, args: StepArgs<'gup'>): string | undefined {
  const type = sim.folios.regionOf(leaf.pfn)!.memtype
  if (type.needsPciP2pdmaFlag && !args.p2pdma) return 'is_pci_p2pdma_page without FOLL_PCI_P2PDMA'
  if (args.longterm && !type.longtermPinnable(sim.kernel)) return 'FOLL_LONGTERM && !folio_is_longterm_pinnable'
  return undefined
}

/**
 * The slow path on a present device page: try_grab_folio() refuses a P2PDMA page without
 * FOLL_PCI_P2PDMA (-EREMOTEIO); FOLL_LONGTERM on a page that is not longterm pinnable (device-coherent)
 * migrates it to system RAM first and pins the RAM page instead ('migrated').
 */
export function deviceSlowGup(sim: Simulation, leaf: Leaf, args: StepArgs<'gup'>, notes: string[], i: number): 'grab' | 'migrated' {
  const folio = sim.folios.folio(leaf.pfn)
  const type = sim.folios.region(folio).memtype
  if (type.needsPciP2pdmaFlag && !args.p2pdma) throw new SimError('EREMOTEIO', `try_grab_folio: page ${i} is a PCI P2PDMA page and the caller did not pass FOLL_PCI_P2PDMA`)
  if (args.longterm && !type.longtermPinnable(sim.kernel)) {
    longtermMigrateCoherent(sim, folio, notes, i)
    return 'migrated'
  }
  return 'grab'
}
