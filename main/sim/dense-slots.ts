/**
 * A folio slot per folio of one region, found by three array reads instead of a hash lookup: the
 * folio number (head - base) / pages-per-folio picks a block of 256 slots, allocated on first use, so
 * memory stays proportional to the folios touched (in 1 KiB steps). FolioTable uses it for regions
 * whose folio extents never change (every type but FS DAX, whose folios dax_folio_init() builds and
 * splits) and whose folio count is at most DENSE_FOLIOS; the others keep the Map alone.
 */

/**
 * Folios a region may have for a dense index: its block table then has at most 65,536 entries (a
 * 256 KiB Int32Array). Until 2026-12-04 this was 2^20, which left a 64 GiB device DAX region with
 * 4 KiB alignment (16M folios) to the hash map: a `daxlab run` that touched 384k of its folios
 * spent ~140 ms growing the map and ~90 ms sorting its heads for the result's folio list.
 */
export const DENSE_FOLIOS = 2 ** 24

const BLOCK_SHIFT = 8
const BLOCK_MASK = (1 << BLOCK_SHIFT) - 1

export class DenseSlots {
  /**
   * Per block of 256 folios, 1 + its index in `blocks` (0: not made). A typed array: a JS array of
   * 65,536 holes took 1.7-4.8 ms to make here (large-object space), a zeroed Int32Array ~25 µs.
   */
  private readonly table: Int32Array
  private readonly blocks: Int32Array[] = []

  constructor(
    private readonly basePfn: number,
    private readonly pagesPerFolio: number,
    folios: number,
  ) {
    this.table = new Int32Array(Math.ceil(folios / (BLOCK_MASK + 1)))
  }

  /** The slot of the folio whose head is `head` (a head pfn of this region), or 0 when it has none. */
  get(head: number): number {
    // The folio number is below DENSE_FOLIOS (2^24), so bitwise operators are exact on it.
    const k = (head - this.basePfn) / this.pagesPerFolio
    const b = this.table[k >>> BLOCK_SHIFT]!
    return b === 0 ? 0 : this.blocks[b - 1]![k & BLOCK_MASK]!
  }

  set(head: number, slot: number): void {
    const k = (head - this.basePfn) / this.pagesPerFolio
    const t = k >>> BLOCK_SHIFT
    let b = this.table[t]!
    if (b === 0) {
      b = this.blocks.push(new Int32Array(BLOCK_MASK + 1))
      this.table[t] = b
    }
    this.blocks[b - 1]![k & BLOCK_MASK] = slot
  }

  /** Array reads writeSlots() makes: every block-table entry and every slot of the blocks made. */
  get walkCost(): number {
    return this.table.length + this.blocks.length * (BLOCK_MASK + 1)
  }

  /** Writes every slot set into out from index `at`, in folio (so pfn) order; returns the index after the last. */
  writeSlots(out: number[], at: number): number {
    let n = at
    const table = this.table
    for (let t = 0; t < table.length; t++) {
      if (table[t] === 0) continue
      const block = this.blocks[table[t]! - 1]!
      for (let j = 0; j <= BLOCK_MASK; j++) if (block[j] !== 0) out[n++] = block[j]!
    }
    return n
  }
}
