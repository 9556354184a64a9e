/**
 * The pmd_fallback_aligned rule: a DAX PMD fault that fell back to PTEs although everything the trace
 * shows of it allowed a PMD. The lab's model maps a PMD for an aligned fault on an aligned extent; the
 * trace prints the fault's address, VMA, file offset and size but not the extent, so the rule clears
 * every reason for a fallback it can see and reports the rest as a disagreement.
 *
 * Reasons cleared, from fs/dax.c (6.x):
 * - dax_fault_check_fallback(): `(pgoff & PG_PMD_COLOUR) != ((address >> PAGE_SHIFT) & PG_PMD_COLOUR)`,
 *   a write fault on a private mapping (COW), the PMD-sized range outside [vm_start, vm_end), and
 *   `(xa_index | PG_PMD_COLOUR) >= max_pgoff` (past the end of the file);
 * - dax_iomap_pmd_fault(): grab_mapping_entry() at PMD order falls back when the file range already holds
 *   a PTE-sized entry, i.e. an earlier dax_pte_fault_done or dax_load_hole of that range in the trace;
 * - dax_pmd_load_hole(): a read of a hole that could not install the huge zero page traces
 *   dax_pmd_load_hole_fallback before the fault's done event.
 * Left: iomap_length() < PMD_SIZE or a pfn that is not PMD-aligned (dax_fault_iter()), i.e. the extent.
 *
 * PMD_SIZE and PAGE_SIZE are the traced machine's (the arch's default variant, as check-trace --arch
 * gives it): 2 MiB and 4 KiB on x86-64, so PG_PMD_COLOUR = 511 there.
 */
import type { FsDaxEvent } from './events'

/** The page and PMD sizes the rule works in (fs/dax.c PG_PMD_COLOUR = PMD_SIZE / PAGE_SIZE - 1). */
export interface PmdGeometry {
  readonly pageSize: number
  readonly pmdSize: number
}

/** x86-64: 4 KiB pages, 2 MiB PMDs. */
export const X86_PMD_GEOMETRY: PmdGeometry = { pageSize: 4096, pmdSize: 2 << 20 }
/** Cap on the file ranges remembered as holding PTE entries (memory stays bounded on huge traces). */
const MAX_PTE_RANGES = 1 << 20

export class PmdFallbackRule {
  /** `dev ino pmd-index` of file ranges a PTE fault or a hole load filled with 4 KiB entries. */
  private readonly pteRanges = new Set<string>()
  /** `task address` of PMD faults whose hole load fell back (their FALLBACK is the hole's, not the extent's). */
  private readonly holeFallbacks = new Set<string>()
  private readonly pageSize: number
  private readonly pmdSize: number
  private readonly pmdPages: number

  constructor(geometry: PmdGeometry = X86_PMD_GEOMETRY) {
    this.pageSize = geometry.pageSize
    this.pmdSize = geometry.pmdSize
    this.pmdPages = geometry.pmdSize / geometry.pageSize
  }

  private rangeKey(e: FsDaxEvent, pgoff: number): string {
    return `${e.dev ?? '-'} ${e.ino ?? '-'} ${Math.floor(pgoff / this.pmdPages)}`
  }

  /** The finding's message when this event is an aligned PMD fallback, else undefined. */
  onEvent(task: string, e: FsDaxEvent): string | undefined {
    const result = e.result ?? []
    if ((e.name === 'dax_pte_fault_done' && !result.includes('FALLBACK') && !result.includes('SIGBUS')) || e.name === 'dax_load_hole') {
      if (e.pgoff !== undefined && this.pteRanges.size < MAX_PTE_RANGES) this.pteRanges.add(this.rangeKey(e, e.pgoff))
      return undefined
    }
    if (e.name === 'dax_pmd_load_hole_fallback') {
      if (e.address !== undefined) this.holeFallbacks.add(`${task} ${e.address}`)
      return undefined
    }
    if (e.name !== 'dax_pmd_fault_done' || !result.includes('FALLBACK')) return undefined
    const { address, vmStart, vmEnd, pgoff, maxPgoff } = e
    if (address === undefined || vmStart === undefined || vmEnd === undefined || pgoff === undefined || maxPgoff === undefined) return undefined
    if (this.holeFallbacks.delete(`${task} ${address}`)) return undefined
    if (pgoff % this.pmdPages !== Math.floor(address / this.pageSize) % this.pmdPages) return undefined
    if (e.write === true && e.shared === false) return undefined
    const pmdAddr = address - (address % this.pmdSize)
    if (pmdAddr < vmStart || pmdAddr + this.pmdSize > vmEnd) return undefined
    const xaIndex = pgoff - (pgoff % this.pmdPages)
    if (xaIndex + this.pmdPages - 1 >= maxPgoff) return undefined
    if (this.pteRanges.has(this.rangeKey(e, pgoff))) return undefined
    return (
      `PMD fault at 0x${address.toString(16)} (pgoff 0x${pgoff.toString(16)}) fell back to PTEs although it is PMD-aligned, ` +
      `inside its VMA and file, with no PTE-sized entry in the range: the model maps a PMD; the filesystem extent was shorter than ${this.pmdSize / 2 ** 20} MiB or not aligned to it`
    )
  }
}


