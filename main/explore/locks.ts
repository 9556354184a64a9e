/**
 * The kernel locks the interleaving explorer models, so that only schedules the kernel allows exist.
 * A lock is named by what it protects; a step that needs a lock another task holds cannot run (it
 * would sleep on the rwsem/mutex, or spin on the spinlock) until that task releases it.
 *
 * - `mmap:<task>`: mm->mmap_lock (rwsem): read for faults and GUP slow (mm/gup.c
 *   __get_user_pages_locked -> mmap_read_lock), write for munmap (mm/mmap.c __vm_munmap ->
 *   do_vmi_munmap, mmap_write_lock_killable) and fork (kernel/fork.c dup_mmap, mmap_write_lock_killable).
 * - `invalidate:<file>`: mapping->invalidate_lock (rwsem): shared in DAX faults (fs/ext4/file.c
 *   ext4_dax_huge_fault -> filemap_invalidate_lock_shared; fs/xfs/xfs_file.c xfs_dax_read_fault,
 *   XFS_MMAPLOCK_SHARED), exclusive in truncate/punch hole (ext4_setattr / ext4_punch_hole ->
 *   filemap_invalidate_lock; xfs_setattr_size under XFS_MMAPLOCK_EXCL).
 * - `i_mmap:<file>`: mapping->i_mmap_rwsem, read while unmap_mapping_pages() walks the mappers
 *   (mm/memory.c unmap_mapping_range_tree under i_mmap_lock_read).
 * - `entry:<file>:<index>`: the DAX entry lock bit (fs/dax.c dax_lock_entry): grab_mapping_entry() in
 *   the fault, dax_lock_folio()/dax_lock_mapping_entry() in memory_failure.
 * - `ptl:<task>`: the page-table lock of the mm (split PTLs are folded into one per mm: the lab's
 *   steps never hold two).
 *
 * GUP-fast takes none of them: it walks with interrupts off (mm/gup.c gup_fast, local_irq_save), which
 * is why it re-checks the entry after taking its reference.
 */
export type LockMode = 'read' | 'write'

export interface LockRequest {
  readonly name: string
  readonly mode: LockMode
}

interface Holding {
  readonly mode: LockMode
  readonly tasks: string[]
}

export class LockTable {
  private readonly held = new Map<string, Holding>()

  /** Whether `task` could take every lock of `requests` now (a lock it already holds counts as free). */
  canTake(task: string, requests: readonly LockRequest[]): boolean {
    return requests.every((r) => {
      const h = this.held.get(r.name)
      if (!h || h.tasks.every((t) => t === task)) return true
      return r.mode === 'read' && h.mode === 'read'
    })
  }

  take(task: string, requests: readonly LockRequest[]): void {
    for (const r of requests) {
      const h = this.held.get(r.name)
      if (!h) this.held.set(r.name, { mode: r.mode, tasks: [task] })
      else if (!h.tasks.includes(task)) h.tasks.push(task)
    }
  }

  release(task: string, name: string): void {
    const h = this.held.get(name)
    if (!h) return
    const i = h.tasks.indexOf(task)
    if (i >= 0) h.tasks.splice(i, 1)
    if (h.tasks.length === 0) this.held.delete(name)
  }

  /** Drops whatever `task` still holds (an operation ending in an error unwinds its locks). */
  releaseAll(task: string): void {
    for (const name of [...this.held.keys()]) this.release(task, name)
  }

  /** Whether anybody but `task` holds `name`. */
  heldByOther(task: string, name: string): boolean {
    const h = this.held.get(name)
    return h !== undefined && h.tasks.some((t) => t !== task)
  }

  /** Whether anybody but `task` holds a lock whose name starts with `prefix` (any entry of a file). */
  heldByOtherUnder(task: string, prefix: string): boolean {
    for (const [name, h] of this.held) if (name.startsWith(prefix) && h.tasks.some((t) => t !== task)) return true
    return false
  }

  /** Canonical text of every lock held (part of the explorer's state key). */
  key(): string {
    return [...this.held.entries()]
      .map(([name, h]) => `${name}=${h.mode}:${[...h.tasks].sort().join('+')}`)
      .sort()
      .join(',')
  }
}

export const mmapLock = (task: string, mode: LockMode): LockRequest => ({ name: `mmap:${task}`, mode })
export const invalidateLock = (file: string, mode: LockMode): LockRequest => ({ name: `invalidate:${file}`, mode })
export const entryLock = (file: string, index: number): LockRequest => ({ name: `entry:${file}:${index}`, mode: 'write' })
export const ptl = (task: string): LockRequest => ({ name: `ptl:${task}`, mode: 'write' })
