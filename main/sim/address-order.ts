/**
 * Page-table walks in address order, as the kernel's are. zap_pte_range()/zap_pmd_range()/
 * zap_pud_range() (unmap_page_range, mm/memory.c), copy_pte_range() and copy_pmd_range() (fork,
 * copy_page_range), change_pte_range() and change_pmd_range() (mm/mprotect.c) and move_ptes() with
 * move_huge_pmd() (move_page_tables, mm/mremap.c) all step an entry pointer up from the range's first
 * address, in every release the lab models (6.1 through 6.17), and go down a level where an entry is
 * a table rather than a leaf: a huge leaf comes between the PTEs below and above it.
 *
 * A VMA's tables are Maps (mm.ts Vma.tables), and a Map walks in insertion order: before this, a
 * munmap after random faults cleared its entries in fault order, and a leaf a COW fault replaced came
 * last. Sorting when a walk asks costs less than keeping the tables sorted: a run installs and zaps
 * far more often than it walks.
 */
import type { Leaf } from './mm'

/** Above this a packed sort key could lose its low bits (2^53: doubles are exact below it). */
const EXACT = 2 ** 53

/**
 * `leaves` ordered by `starts` (starts[i] is leaves[i]'s first address, a multiple of `pageSize`;
 * leaves never overlap, so no two share one; `starts` may be longer than `leaves`). A new array
 * unless `leaves` is already in order (sequential faults install that way): that is returned as it is.
 */
export function inAddressOrder(leaves: Leaf[], starts: ArrayLike<number>, pageSize: number): Leaf[] {
  const n = leaves.length
  let min = Infinity
  let max = -Infinity
  let ordered = true
  for (let i = 0; i < n; i++) {
    const s = starts[i]!
    if (i > 0 && s < starts[i - 1]!) ordered = false
    if (s < min) min = s
    if (s > max) max = s
  }
  if (ordered) return leaves
  // One typed-array sort of (page offset * 2^k + position): numeric, with no comparator call per pair
  // and no look-up afterwards. The position in the low bits makes every key distinct.
  let slots = 1
  while (slots < n) slots *= 2
  if (((max - min) / pageSize + 1) * slots < EXACT) {
    const keys = new Float64Array(n)
    for (let i = 0; i < n; i++) keys[i] = ((starts[i]! - min) / pageSize) * slots + i
    keys.sort()
    const out = new Array<Leaf>(n)
    for (let i = 0; i < n; i++) out[i] = leaves[keys[i]! % slots]!
    return out
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => starts[a]! - starts[b]!)
  return order.map((i) => leaves[i]!)
}
