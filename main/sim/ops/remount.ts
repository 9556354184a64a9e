/**
 * `remount {mount, options?}`: unmount and mount a DAX filesystem of the profile again, the cycle
 * fstests runs between the phases of a test (common/rc _scratch_cycle_mount: _scratch_unmount, then
 * _scratch_mount). Every inode of the mount is evicted as by `umount` (main/sim/ops/layout.ts):
 *
 * - 6.15+ (switch `final-layout-break`): ext4_evict_inode / xfs_fs_destroy_inode / fuse_evict_inode
 *   call dax_break_layout_final() (fs/dax.c), which waits uninterruptibly for every page of the inode
 *   to go idle, so a page still pinned blocks the unmount (a task_blocked hang while the pin lasts).
 * - before ("fs/dax: Ensure all pages are idle prior to filesystem unmount", 6.15): nothing waits, the
 *   unmount completes with DMA in flight (not_idle_at_unmount). The new mount's inodes have no DAX
 *   entries for the busy pages, so a later truncate or unlink finds nothing busy
 *   (dax_layout_busy_page_range walks i_pages) and frees the blocks under the DMA (dma_after_release):
 *   the next file to get them is written by a device.
 *
 * Files keep their blocks (they are on the medium); page tables and DAX entries do not survive.
 * `options` are the new mount's options: the lab's mounts are all DAX, so only `dax` / `dax=always`
 * (the same mode) are accepted (the scenario schema refuses the rest). A `mount -o remount` that only
 * reconfigures (no eviction) is not this verb: ext4's __ext4_remount refuses a dax change ("can't
 * change dax mount option while remounting", fs/ext4/super.c), which is why changing it takes a cycle.
 */
import type { StepArgs } from '../../formats/scenario'
import { SimError, type Simulation } from '../sim'
import { umount } from './layout'
import { andThen, OK, type OpOutcome } from './outcome'

export function remount(sim: Simulation, args: StepArgs<'remount'>, notes: string[]): OpOutcome {
  const fs = sim.filesystems.find((f) => f.mount === args.mount)
  // umount's own checks name the mount; the lookup here is only for the mount half.
  if (!fs) throw new SimError('EINVAL', `'${args.mount}' is not a DAX mount of this profile`)
  return andThen(umount(sim, { mount: args.mount }, notes), () => {
    fs.mounted = true
    notes.push(`${args.mount} mounted again${args.options ? ` (-o ${args.options})` : ''}`)
    return OK
  })
}
