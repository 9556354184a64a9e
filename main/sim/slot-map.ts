/**
 * A hash table from head pfn to folio slot, in two typed arrays: open addressing with linear probing
 * and deletion by backward shift. FolioTable looks a slot up for every folio a fault, a zap or a
 * release reaches; on a 4 KiB FS DAX run that is a lookup in a table of tens of thousands of random
 * pfns per page. A JS Map there follows a bucket array into a chain of entry objects (two dependent
 * cache misses); here a probe reads one key slot and then its value. Measured on 50,000 random pfns,
 * warm: 8-12 ms where the Map took 12-19 ms (docs/adr/0027-folio-slot-tables-and-lazy-pte-counts.md).
 *
 * Keys are integers in [0, 2^53); slots are positive. Iteration order is unspecified (FolioTable sorts
 * what it lists). PteCounts keeps its PTEs-per-PMD counts in one too (PMD index -> count).
 */

const EMPTY = -1

export class SlotMap {
  private keys: Float64Array
  private vals: Int32Array
  private mask: number
  size = 0

  constructor(capacity = 64) {
    let n = 16
    while (n < capacity * 2) n *= 2
    this.keys = new Float64Array(n).fill(EMPTY)
    this.vals = new Int32Array(n)
    this.mask = n - 1
  }

  /** Home bucket of key: both 32-bit halves mixed (ToInt32 of a number below 2^53 is exact modulo 2^32). */
  private home(key: number): number {
    const lo = key | 0
    const hi = (key / 4294967296) | 0
    return (Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 0) & this.mask
  }

  /** The slot stored for key, or 0 when there is none. */
  get(key: number): number {
    const keys = this.keys
    const mask = this.mask
    for (let i = this.home(key); ; i = (i + 1) & mask) {
      const k = keys[i]!
      if (k === key) return this.vals[i]!
      if (k === EMPTY) return 0
    }
  }

  set(key: number, slot: number): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow()
    const keys = this.keys
    const mask = this.mask
    for (let i = this.home(key); ; i = (i + 1) & mask) {
      const k = keys[i]!
      if (k === key) {
        this.vals[i] = slot
        return
      }
      if (k === EMPTY) {
        keys[i] = key
        this.vals[i] = slot
        this.size++
        return
      }
    }
  }

  /** Removes key; true when it was there. */
  delete(key: number): boolean {
    const keys = this.keys
    const vals = this.vals
    const mask = this.mask
    let i = this.home(key)
    for (; ; i = (i + 1) & mask) {
      const k = keys[i]!
      if (k === key) break
      if (k === EMPTY) return false
    }
    // Backward shift: move later keys of the probe run into the hole unless their home lies after it.
    let hole = i
    for (let j = (i + 1) & mask; keys[j]! !== EMPTY; j = (j + 1) & mask) {
      const h = this.home(keys[j]!)
      // Is h cyclically in (hole, j]? Then the key at j may not move to the hole.
      const stays = hole <= j ? h > hole && h <= j : h > hole || h <= j
      if (stays) continue
      keys[hole] = keys[j]!
      vals[hole] = vals[j]!
      hole = j
    }
    keys[hole] = EMPTY
    vals[hole] = 0
    this.size--
    return true
  }

  /** Calls fn(key, slot) for every entry, in no particular order. */
  forEach(fn: (key: number, slot: number) => void): void {
    const keys = this.keys
    for (let i = 0; i < keys.length; i++) if (keys[i]! !== EMPTY) fn(keys[i]!, this.vals[i]!)
  }

  private grow(): void {
    const oldKeys = this.keys
    const oldVals = this.vals
    const n = oldKeys.length * 2
    this.keys = new Float64Array(n).fill(EMPTY)
    this.vals = new Int32Array(n)
    this.mask = n - 1
    this.size = 0
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i]! !== EMPTY) this.set(oldKeys[i]!, oldVals[i]!)
  }
}
