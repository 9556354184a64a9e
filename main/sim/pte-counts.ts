/**
 * PTEs present under each PMD of one VMA (a PMD entry pointing to a page table): what ptesUnder()
 * asks before a huge fault. The counts are kept only once something has asked. Before that,
 * installing or zapping a PTE costs nothing here, and a VMA that only ever takes PTE faults (4 KiB FS
 * DAX faults, say) never pays two hash-table updates per page. The first question counts the PTE table
 * once, and from then on every PTE added or removed updates the count, as it always did.
 */
import type { Leaf } from './mm'
import { SlotMap } from './slot-map'

export class PteCounts {
  /**
   * PMD index -> PTEs under it (never 0: a PMD with none has no entry); undefined until the first
   * question. A SlotMap rather than a Map: on 4 KiB FS DAX faults, where every page updates it, the
   * Map's updates were ~6% of the engine's CPU (a profile of the bench's fsdax workload).
   */
  private counts: SlotMap | undefined

  /** A PTE at table index `index` (a new key of the PTE table) is now present. */
  added(index: number, pmdPages: number): void {
    const counts = this.counts
    if (counts === undefined) return
    const pmd = Math.floor(index / pmdPages)
    counts.set(pmd, counts.get(pmd) + 1)
  }

  /** The PTE at table index `index` is gone. */
  removed(index: number, pmdPages: number): void {
    const counts = this.counts
    if (counts === undefined) return
    const pmd = Math.floor(index / pmdPages)
    const left = counts.get(pmd) - 1
    if (left === 0) counts.delete(pmd)
    else counts.set(pmd, left)
  }

  /**
   * Does PMD `pmd` have PTEs under it? `pte` is the VMA's PTE table, keyed by table index minus
   * `base` (Vma.tables, Vma.tableBase), counted on the first call.
   */
  has(pmd: number, pte: ReadonlyMap<number, Leaf>, base: number, pmdPages: number): boolean {
    let counts = this.counts
    if (counts === undefined) {
      counts = new SlotMap()
      for (const key of pte.keys()) {
        const p = Math.floor((key + base) / pmdPages)
        counts.set(p, counts.get(p) + 1)
      }
      this.counts = counts
    }
    return counts.get(pmd) !== 0
  }
}
