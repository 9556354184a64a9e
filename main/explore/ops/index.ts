/**
 * The first atomic step of a concurrent step's operation. Operations that race in the kernel are split
 * (gup, access, munmap, truncate, punch_hole, memory_failure: see each file); every other operation is
 * one atomic step running the engine's own handler (main/sim/ops), under the locks it would hold
 * (fork: dup_mmap's mmap_write_lock of the parent), and a wait it blocks in becomes a wait step.
 */
import type { Step } from '../../formats/scenario'
import { runOp } from '../../sim/ops/index'
import type { Atomic, OpContext } from '../atomic'
import { mmapLock } from '../locks'
import { accessSteps } from './fault'
import { gupSteps, splitsGup } from './gup'
import { punchHoleSteps, truncateSteps } from './layout'
import { memoryFailureSteps } from './memory-failure'
import { continueAfter } from './wait'
import { withProposalWindows } from './proposal-2022-windows'
import { munmapSteps } from './zap'

/** Kernel sources of the operations that run as one step. */
const WHOLE: Partial<Record<Step['op'], string>> = {
  unpin: 'mm/gup.c unpin_user_pages -> gup_put_folio (6.14-6.17)',
  put: 'include/linux/mm.h put_page -> folio_put (6.14-6.17)',
  fork: 'kernel/fork.c dup_mmap -> mm/memory.c copy_page_range / copy_present_pte (6.14-6.17)',
  gup: 'mm/gup.c pin_user_pages / get_user_pages (6.14-6.17)',
}

export function firstStep(ctx: OpContext): Atomic {
  return withProposalWindows(ctx, unsplitFirstStep(ctx)) // proposal-2022: pgmap_request/release_folios windows
}

function unsplitFirstStep(ctx: OpContext): Atomic {
  const step = ctx.step
  switch (step.op) {
    case 'gup':
      if (splitsGup(ctx, step.args)) return gupSteps(ctx, step.args)
      break
    case 'access':
      return accessSteps(ctx, step.args)
    case 'munmap':
      return munmapSteps(ctx, step.args)
    case 'truncate':
      return truncateSteps(ctx, step.args)
    case 'punch_hole':
      return punchHoleSteps(ctx, step.args)
    case 'memory_failure':
      return memoryFailureSteps(ctx, step.args)
    default:
      break
  }
  return wholeStep(ctx)
}

function wholeStep(ctx: OpContext): Atomic {
  const step = ctx.step
  return {
    label: step.op,
    source: WHOLE[step.op] ?? `main/sim/ops (${step.op}, one atomic step)`,
    key: `whole:${step.op}:${JSON.stringify(step.args)}`,
    takes: step.op === 'fork' || step.op === 'mlock' ? [mmapLock(ctx.task.name, 'write')] : undefined,
    run: ({ sim, task, notes }) => continueAfter(sim, runOp(sim, task, step, notes), `whole:${step.op}`),
  }
}
