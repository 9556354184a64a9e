/**
 * A folio slot per folio of one region, found by two array reads instead of a hash lookup: the folio
 * number (head - base) / pages-per-folio picks a block of 256 slots, allocated on first use, so memory
 * stays proportional to the folios touched (in 1 KiB steps). FolioTable uses it for regions whose
 * folio extents never change (every type but FS DAX, whose folios dax_folio_init() builds and splits)
 * and whose folio count is at most DENSE_FOLIOS; the others keep the Map alone.
 */

/** Folios a region may have for a dense index: its block table then has at most 4096 entries. */
export const DENSE_FOLIOS = 2 ** 20

const BLOCK_SHIFT = 8
const BLOCK_MASK = (1 << BLOCK_SHIFT) - 1

export class DenseSlots {
  private readonly blocks: (Int32Array | undefined)[]
  private blocksMade = 0

  constructor(
    private readonly basePfn: number,
    private readonly pagesPerFolio: number,
    folios: number,
  ) {
    this.blocks = new Array<Int32Array | undefined>(Math.ceil(folios / (BLOCK_MASK + 1))).fill(undefined)
  }

  /** The slot of the folio whose head is `head` (a head pfn of this region), or 0 when it has none. */
  get(head: number): number {
    // The folio number is below DENSE_FOLIOS (2^20), so bitwise operators are exact on it.
    const k = (head - this.basePfn) / this.pagesPerFolio
    const block = this.blocks[k >>> BLOCK_SHIFT]
    return block === undefined ? 0 : block[k & BLOCK_MASK]!
  }

  set(head: number, slot: number): void {
    const k = (head - this.basePfn) / this.pagesPerFolio
    const b = k >>> BLOCK_SHIFT
    let block = this.blocks[b]
    if (block === undefined) {
      block = this.blocks[b] = new Int32Array(BLOCK_MASK + 1)
      this.blocksMade++
    }
    block[k & BLOCK_MASK] = slot
  }

  /** Array reads writeSlots() makes: every block-table entry and every slot of the blocks made. */
  get walkCost(): number {
    return this.blocks.length + this.blocksMade * (BLOCK_MASK + 1)
  }

  /** Writes every slot set into out from index `at`, in folio (so pfn) order; returns the index after the last. */
  writeSlots(out: number[], at: number): number {
    let n = at
    for (const block of this.blocks) {
      if (block === undefined) continue
      for (let j = 0; j <= BLOCK_MASK; j++) if (block[j] !== 0) out[n++] = block[j]!
    }
    return n
  }
}
