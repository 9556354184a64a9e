/**
 * address_space->i_mmap: the VMAs (shared and private) of one file (FS DAX) or of one device DAX
 * instance (every open of /dev/daxX.Y shares the device inode's mapping: dax_open() sets filp->f_mapping), in
 * the order the kernel's walks visit them. unmap_mapping_range_tree() (mm/memory.c: truncate, hole
 * punch, dax_layout_busy_page, memory failure, device DAX unbind) goes through
 * vma_interval_tree_foreach(), an in-order walk of an interval tree keyed by vma_start_pgoff.
 *
 * How a VMA gets its place, in every release the lab models (6.1 through 6.17):
 * - vma_interval_tree_insert() (mm/interval_tree.c, INTERVAL_TREE_DEFINE in
 *   include/linux/interval_tree_generic.h) goes left only when `start < ITSTART(parent)`, so a VMA goes
 *   after every VMA whose start pgoff is at or below its own. mmap (vma_link_file), the new VMA of a
 *   moving mremap (copy_vma) and every VMA that __split_vma() or a merge changes take their place this
 *   way: vma_prepare() removes it and vma_complete() inserts it again (__vma_adjust() before 6.3).
 * - dup_mmap() (kernel/fork.c, moved to mm/mmap.c in later releases) puts the child's VMA right after
 *   the parent's with vma_interval_tree_insert_after().
 * - munmap and exit take the VMA out (unlink_file_vma).
 *
 * The lab keeps one Vma per mapping id where the kernel splits VMAs (vma-prot.ts). An entry here stands
 * for the lowest piece of its mapping still mapped: it is placed again (by that piece's pgoff) whenever
 * an mprotect or partial munmap changes that piece, as the kernel places the VMA it split or merged.
 * The pieces above it are visited with it, where the kernel would visit each at its own place.
 */
import type { Prot, Task, Vma } from './mm'
import { setProt } from './vma-prot'

interface Entry {
  readonly vma: Vma
  /** vma_start_pgoff() of the piece the entry stands for: the key the interval tree sorts by. */
  readonly pgoff: number
}

export class IMmap {
  private readonly entries: Entry[] = []

  /** vma_interval_tree_insert(): after every entry whose pgoff is at or below `pgoff`. */
  insert(vma: Vma, pgoff: number = vma.pgoff): void {
    let i = this.entries.length
    while (i > 0 && this.entries[i - 1]!.pgoff > pgoff) i--
    this.entries.splice(i, 0, { vma, pgoff })
  }

  /** vma_interval_tree_insert_after(): fork's child VMA, right after its parent's (same pgoff). */
  insertAfter(vma: Vma, prev: Vma): void {
    const i = this.indexOf(prev)
    this.entries.splice(i + 1, 0, { vma, pgoff: this.entries[i]!.pgoff })
  }

  /** vma_interval_tree_remove(). */
  remove(vma: Vma): void {
    this.entries.splice(this.indexOf(vma), 1)
  }

  /** The lab swapped the object that stands for one kernel VMA (an mremap that leaves it in place). */
  replace(old: Vma, vma: Vma): void {
    const i = this.indexOf(old)
    this.entries[i] = { vma, pgoff: this.entries[i]!.pgoff }
  }

  /** vma_prepare() + vma_complete(): out, then in again by the pgoff it has now. */
  reinsert(vma: Vma, pgoff: number): void {
    this.remove(vma)
    this.insert(vma, pgoff)
  }

  /** mapping_mapped() (include/linux/fs.h): is any VMA linked? */
  get mapped(): boolean {
    return this.entries.length > 0
  }

  /** Every VMA in walk order, as a new array (a walk may unmap while it goes). */
  inOrder(): Vma[] {
    return this.entries.map((e) => e.vma)
  }

  private indexOf(vma: Vma): number {
    const i = this.entries.findIndex((e) => e.vma === vma)
    if (i < 0) throw new Error(`i_mmap: mapping '${vma.id}' is not linked`)
    return i
  }
}

/** The i_mmap a VMA is linked into: its file's, or its device DAX instance's; none for the others. */
export function iMmapOf(vma: Vma): IMmap | undefined {
  if (vma.file) return vma.file.iMmap
  return vma.device?.def.type === 'devdax' ? vma.device.iMmap : undefined
}

/** munmap and the explorer's munmap: the VMA leaves its task and its i_mmap together. */
export function unlinkVma(task: Task, vma: Vma): void {
  task.vmas.delete(vma.id)
  iMmapOf(vma)?.remove(vma)
}

/** The lowest piece of a mapping still mapped (vma-prot.ts ranges), or undefined when none is. */
function lowestPiece(vma: Vma): { start: number; end: number } | undefined {
  if (!vma.prot) return vma
  return vma.prot.find((r) => r.prot !== 'unmapped')
}

/**
 * setProt() of a linked VMA, for mprotect and a partial munmap. When the lowest piece still mapped no
 * longer spans what it did, the kernel split, merged or removed the VMA there, which placed it again
 * by its pgoff. A protection change alone (mprotect of a whole VMA) is done in place:
 * vm_flags_reset(). When nothing is left mapped, the caller unlinks the VMA.
 */
export function setProtRelinking(vma: Vma, from: number, to: number, prot: Prot | 'unmapped', pageSize: number): void {
  const before = lowestPiece(vma)
  setProt(vma, from, to, prot)
  const list = iMmapOf(vma)
  const after = lowestPiece(vma)
  if (!list || !after) return
  if (before && before.start === after.start && before.end === after.end) return
  list.reinsert(vma, vma.pgoff + (after.start - vma.start) / pageSize)
}
