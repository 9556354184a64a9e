/**
 * The two windows of Dan Williams' 2022 proposal as atomic steps ("[PATCH v3 10/25] fsdax: Introduce
 * pgmap_request_folios()", linux-mm, 2022-10-14; J. Gunthorpe's review, "Re: [PATCH v3 10/25] fsdax:
 * Introduce pgmap_request_folios()", 2022-10-17). Only kernels with the `pgmap-request-folios` switch
 * get them; every other kernel's steps are returned unchanged.
 *
 * - mm/memremap.c pgmap_request_folios() (v3 10/25), called from fs/dax.c dax_associate_entry() under
 *   the DAX entry lock: `folio_ref_inc(iter); if (folio_ref_count(iter) == 1)
 *   percpu_ref_tryget(&pgmap->ref);`. The inc runs in the step whose fault associates the entry; the
 *   count read and the tryget are the next atomic step. The DAX entry lock stays held until that read
 *   (the kernel reads under it, before dax_unlock_entry()): the lab inserts the leaf in the same step
 *   as the inc, and the leaf is visible only to the faulting task's own mm, while every other path to
 *   the page through the file (a fault, memory_failure's dax_lock_folio, the busy scan) waits on the
 *   entry lock. Only a holder of a stale pfn can act in the window: Jason's "2->1 transition
 *   immediately after ref_inc".
 * - mm/memremap.c pgmap_release_folios() (v3 10/25), called from dax_zap_pages() in the busy scan:
 *   `folio_put(iter); if (!folio_ref_count(iter)) put_dev_pagemap(pgmap);`. The put runs in the scan
 *   step, the read in the next one. With 23/25 (`zone-device-refcount-zero`, proposal-2022's default)
 *   the release is a plain folio_put() and the free drops the pgmap reference: no window.
 */
import { deferChecks, requestsFolios, runCheck, takeDeferredChecks, type DeferredCheck } from '../../sim/proposal-2022'
import type { Simulation } from '../../sim/sim'
import { continueWith, type Atomic, type AtomicEnd, type OpContext } from '../atomic'
import { entryLock } from '../locks'

const SRC = {
  request: 'mm/memremap.c pgmap_request_folios: if (folio_ref_count(iter) == 1) percpu_ref_tryget(&pgmap->ref) (v3 10/25, 2022-10-14)',
  release: 'mm/memremap.c pgmap_release_folios: if (!folio_ref_count(iter)) put_dev_pagemap(pgmap) (v3 10/25, 2022-10-14)',
}

/** `first` with the proposal's count reads split off every step that requests or releases folios. */
export function withProposalWindows(ctx: OpContext, first: Atomic): Atomic {
  return requestsFolios(ctx.sim) ? wrap(first) : first
}

function wrap(atomic: Atomic): Atomic {
  return {
    ...atomic,
    run: (ctx) => {
      deferChecks(ctx.sim)
      let end: AtomicEnd
      try {
        end = atomic.run(ctx)
      } catch (err) {
        // The operation failed after its inc or put: the reads run now, as the kernel's would.
        for (const check of takeDeferredChecks(ctx.sim)) runCheck(ctx.sim, check, false)
        throw err
      }
      const queued = takeDeferredChecks(ctx.sim)
      const after: AtomicEnd = 'next' in end ? continueWith(wrap(end.next)) : end
      if (queued.length === 0) return after
      const held = holdEntryLocks(ctx, queued)
      return continueWith(readStep(queued, held, after))
    },
  }
}

/**
 * The request's read is under the entry lock: a step that unlocked the entry after the fault takes it
 * back at once (same atomic step, so nobody can take it in between) until the read has run.
 */
function holdEntryLocks(ctx: OpContext, queued: readonly DeferredCheck[]): string[] {
  const args = ctx.step.args as { map?: string }
  const vma = args.map !== undefined ? ctx.task.vmas.get(args.map) : undefined
  if (!vma?.file) return []
  const locks = queued.filter((c) => c.kind === 'request').map((c) => entryLock(vma.file!.path, c.entry.index))
  ctx.locks.take(ctx.task.name, locks)
  return locks.map((l) => l.name)
}

function readStep(queued: readonly DeferredCheck[], held: readonly string[], after: AtomicEnd): Atomic {
  const request = queued.some((c) => c.kind === 'request')
  const what = queued.map((c) => `${c.kind}@${c.entry.pfn?.toString(16) ?? '-'}`).join('+')
  return {
    label: request ? 'pgmap_request_folios: folio_ref_count == 1 ? percpu_ref_tryget' : 'pgmap_release_folios: folio_ref_count == 0 ? put_dev_pagemap',
    source: request ? SRC.request : SRC.release,
    key: `p2022-read:${what}:${'next' in after ? after.next.key : 'done'}`,
    reads: () => queued.map((c) => c.entry.pfn!),
    run: ({ sim, locks, task }) => {
      runReads(sim, queued)
      for (const name of held) locks.release(task.name, name)
      return after
    },
  }
}

function runReads(sim: Simulation, queued: readonly DeferredCheck[]): void {
  // The inc ran in an earlier atomic step: on a count that idles at 0 (23/25), a count other than 1
  // at the read is another CPU's reference taken in the window.
  for (const check of queued) runCheck(sim, check, sim.kernel.fsdaxIdleRefcount === 0)
}
