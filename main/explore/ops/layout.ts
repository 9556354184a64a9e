/**
 * truncate and punch_hole as atomic steps: the layout break, then the entry removal and block free.
 *
 *   1. the file's invalidate_lock exclusive (ext4_setattr / ext4_punch_hole: filemap_invalidate_lock;
 *      xfs_setattr_size / xfs_file_fallocate under XFS_MMAPLOCK_EXCL);
 *   2. dax_layout_busy_page_range(): unmap_mapping_pages() clears the mappers' entries, then its own
 *      mmu_gather is flushed and the batched references drop (tlb_finish_mmu) — two steps;
 *   3. the busy scan, one step per DAX entry (xas_for_each under the i_pages lock). A locked entry
 *      (a fault's grab_mapping_entry, memory_failure's dax_lock_folio) is handled as each release did:
 *      6.14 get_unlocked_entry() returns the next entry, so the locked one is never checked ("fs/dax:
 *      Don't skip locked entries when scanning entries", 6be3e21d25ca, 6.15); 6.15.0
 *      wait_entry_unlocked_exclusive() waits for it but its xas_pause() moves the walk to the next
 *      index, so the waited entry is skipped anyway; the xas_reset() fix ("fs/dax: fix 'don't skip
 *      locked entries when scanning entries'", 2025-05-23, mainline in the 6.16 merge window through
 *      the vfs fixes, Cc: stable) re-checks it. Switches: wait-locked-entries, xas-reset-fix;
 *   4. a busy page: the break drops the invalidate_lock and sleeps (ext4_wait_dax_page /
 *      xfs_wait_dax_page) until the page is idle (dax_page_is_idle), retakes the lock and starts
 *      over at 2 (ext4_break_layouts / xfs_break_dax_layouts loop; dax_break_layout 6.15+);
 *   5. truncate_pagecache / dax_delete_mapping_range and the block free (the engine's
 *      truncateAfterBreak / punchHoleAfterBreak), waiting for entries another task holds locked
 *      (__dax_invalidate_entry -> get_next_unlocked_entry).
 */
import type { StepArgs } from '../../formats/scenario'
import { cause } from '../../sim/causes'
import type { DaxFile } from '../../sim/daxfs'
import { busyScanEnd, entryBusyPage, idle, punchHoleAfterBreak, truncateAfterBreak } from '../../sim/ops/layout'
import type { OpOutcome } from '../../sim/ops/outcome'
import type { Simulation } from '../../sim/sim'
import { continueWith, done, type Atomic, type OpContext } from '../atomic'
import type { LockTable } from '../locks'
import { invalidateLock } from '../locks'
import { flushCanComplete } from '../tlb-fence'

const C = { busyUnmap: cause('dax_layout_busy_page_range: unmap_mapping_pages') }

type LayoutArgs = { kind: 'truncate'; args: StepArgs<'truncate'> } | { kind: 'punch_hole'; args: StepArgs<'punch_hole'> }

interface Break {
  readonly file: DaxFile
  readonly what: LayoutArgs
  readonly key: string
}

export function truncateSteps(ctx: OpContext, args: StepArgs<'truncate'>): Atomic {
  return start(ctx, { kind: 'truncate', args })
}

export function punchHoleSteps(ctx: OpContext, args: StepArgs<'punch_hole'>): Atomic {
  return start(ctx, { kind: 'punch_hole', args })
}

function start(ctx: OpContext, what: LayoutArgs): Atomic {
  const path = what.args.file
  return {
    label: `${what.kind}: invalidate_lock exclusive, unmap_mapping_pages`,
    source: 'fs/ext4/inode.c ext4_setattr / ext4_punch_hole: filemap_invalidate_lock; fs/xfs XFS_MMAPLOCK_EXCL (6.14-6.17)',
    key: `${what.kind}-lock:${path}`,
    takes: [invalidateLock(path, 'write')],
    // Taking the lock and the first unmap are one step: nobody can act on the lock in between.
    run: (c) => unmap(c.sim, { file: c.sim.file(path), what, key: `${what.kind}:${path}` }).run(c),
  }
}

function unmap(sim: Simulation, b: Break): Atomic {
  return {
    label: 'dax_layout_busy_page_range: unmap_mapping_pages',
    source: 'fs/dax.c dax_layout_busy_page_range -> unmap_mapping_pages (6.14-6.17)',
    key: `${b.key}:unmap`,
    run: ({ notes }) => {
      const to = busyScanEnd(sim, b.file, notes)
      if (to === undefined) return continueWith(finish(sim, b))
      const batch: number[] = []
      sim.unmapMappingPages(b.file, 0, to, C.busyUnmap, batch)
      return continueWith({
        label: 'tlb_finish_mmu: flush, put batched folios',
        source: 'mm/memory.c zap_page_range_single -> mm/mmu_gather.c tlb_finish_mmu (6.14-6.17)',
        key: `${b.key}:unmap-put:${batch.join('+')}`,
        until: flushCanComplete,
        run: () => {
          for (const folio of batch) sim.putBatched(folio, C.busyUnmap)
          return continueWith(scan(sim, b, 0, to))
        },
      })
    },
  }
}

/** The DAX entry lock holder of any index of [from, to) other than `task`, if one. */
function lockedEntry(locks: LockTable, task: string, file: DaxFile, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (locks.heldByOther(task, `entry:${file.path}:${i}`)) return true
  return false
}

function scan(sim: Simulation, b: Break, cursor: number, to: number): Atomic {
  return {
    label: `dax_layout_busy_page_range: scan from index ${cursor}`,
    source: 'fs/dax.c dax_layout_busy_page_range: xas_for_each, dax_busy_page (6.14-6.17)',
    key: `${b.key}:scan:${cursor}`,
    run: ({ locks, task, notes }) => {
      const entry = b.file.entriesIn(cursor, to).find((e) => e.pfn !== undefined && e.index + 2 ** e.order > cursor)
      if (!entry) return continueWith(finish(sim, b))
      const end = entry.index + 2 ** entry.order
      if (lockedEntry(locks, task.name, b.file, entry.index, end)) {
        if (!sim.kernel.on('wait-locked-entries')) {
          notes.push(`busy scan: entry at index ${entry.index} is locked; get_unlocked_entry() moved on to the next entry, so it was never checked (fixed in 6.15)`)
          return continueWith(scan(sim, b, end, to))
        }
        const recheck = sim.kernel.on('xas-reset-fix')
        return continueWith({
          label: 'wait_entry_unlocked_exclusive',
          source: `fs/dax.c wait_entry_unlocked_exclusive: ${recheck ? 'xas_reset (6.16)' : 'xas_pause (6.15.0)'}`,
          key: `${b.key}:wait-entry:${entry.index}`,
          waitReason: `wait_entry_unlocked_exclusive on index ${entry.index} of ${b.file.path}`,
          until: () => !lockedEntry(locks, task.name, b.file, entry.index, end),
          run: ({ notes: n }) => {
            if (recheck) return continueWith(scan(sim, b, entry.index, to))
            n.push(`busy scan: waited for the locked entry at index ${entry.index}; xas_pause() advanced the walk, so it was never checked (fixed by xas_reset in 6.16)`)
            return continueWith(scan(sim, b, end, to))
          },
        })
      }
      const busy = entryBusyPage(sim, entry)
      if (busy === undefined) {
        // The walk goes on under the same i_pages lock: the next step is the next entry, or the end.
        const more = b.file.entriesIn(end, to).some((e) => e.pfn !== undefined && e.index + 2 ** e.order > end)
        return continueWith(more ? scan(sim, b, end, to) : finish(sim, b))
      }
      // The wait callback (ext4_wait_dax_page / xfs_wait_dax_page) drops the invalidate_lock to sleep.
      locks.release(task.name, invalidateLock(b.file.path, 'write').name)
      return continueWith(waitIdle(sim, b, busy))
    },
  }
}

function waitIdle(sim: Simulation, b: Break, busy: number): Atomic {
  return {
    label: `wait_page_idle on ${sim.describePfn(busy)}`,
    source: 'fs/dax.c dax_break_layout -> wait_page_idle (6.15+); fs/ext4/inode.c ext4_break_layouts ___wait_var_event (6.14)',
    key: `${b.key}:wait-idle:${busy}`,
    waitReason: `dax_break_layout: wait_page_idle on ${sim.describePfn(busy)}`,
    waitOn: busy,
    until: () => idle(sim, busy),
    run: () =>
      continueWith({
        label: `${b.what.kind}: retake invalidate_lock`,
        source: 'fs/ext4/inode.c ext4_wait_dax_page: filemap_invalidate_lock after schedule() (6.14-6.17)',
        key: `${b.key}:relock`,
        takes: [invalidateLock(b.file.path, 'write')],
        run: () => continueWith(unmap(sim, b)),
      }),
  }
}

function finish(sim: Simulation, b: Break): Atomic {
  return {
    label: b.what.kind === 'truncate' ? 'truncate_pagecache + free blocks' : 'truncate_pagecache_range + free blocks',
    source: 'mm/truncate.c truncate_inode_pages_range -> fs/dax.c dax_delete_mapping_entry / dax_delete_mapping_range; fs block free (6.14-6.17)',
    key: `${b.key}:finish`,
    // Entries another task holds locked are waited for (__dax_invalidate_entry -> get_next_unlocked_entry).
    until: (c) => !c.locks.heldByOtherUnder(c.task.name, `entry:${b.file.path}:`) && flushCanComplete(c),
    run: ({ locks, task }) => {
      const outcome: OpOutcome = b.what.kind === 'truncate' ? truncateAfterBreak(sim, b.file, b.what.args.length) : punchHoleAfterBreak(sim, b.file, b.what.args.offset, b.what.args.length)
      locks.release(task.name, invalidateLock(b.file.path, 'write').name)
      return done(outcome)
    },
  }
}
