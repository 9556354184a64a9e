/** The step vocabulary: one handler per operation. */
import type { Step } from '../../formats/scenario'
import type { Task } from '../mm'
import type { Simulation } from '../sim'
import { gup, releaseGup } from './gup'
import { create, punchHole, truncate, umount, unlink, write } from './layout'
import { memoryFailure } from './memory-failure'
import type { OpOutcome } from './outcome'
import { access, exit, fork, mlock, mmap, munlock, munmap } from './process'
import { probe } from './probe'
import { migrate } from './migrate'
import { mirror, snapshot } from './hmm'
import { unbind } from './unbind'
import { mprotect } from './mprotect'
import { mremap } from './mremap'
import { madvise } from './madvise'
import { complete, odirect } from './odirect'
import { fallocate } from './fallocate'
import { badblock } from './badblock'
import { remount } from './remount'

export function runOp(sim: Simulation, task: Task, step: Step, notes: string[]): OpOutcome {
  switch (step.op) {
    case 'create':
      return create(sim, step.args)
    case 'write':
      return write(sim, step.args, notes)
    case 'mmap':
      return mmap(sim, task, step.args, notes)
    case 'access':
      return access(sim, task, step.args, notes)
    case 'gup':
      return gup(sim, task, step.args, notes)
    case 'unpin':
      // unpin_user_pages(): one gup_put_folio() per run of pages of one folio.
      return releaseGup(sim, step.args.gup, true, true)
    case 'put':
      return releaseGup(sim, step.args.gup, false)
    case 'munmap':
      return munmap(sim, task, step.args, notes)
    case 'fork':
      return fork(sim, task, step.args, notes)
    case 'exit':
      return exit(sim, task)
    case 'truncate':
      return truncate(sim, step.args, notes)
    case 'punch_hole':
      return punchHole(sim, step.args, notes)
    case 'unlink':
      return unlink(sim, step.args, notes)
    case 'umount':
      return umount(sim, step.args, notes)
    case 'remount':
      return remount(sim, step.args, notes)
    case 'mlock':
      return mlock(sim, task, step.args, notes)
    case 'munlock':
      return munlock(sim, task, step.args, notes)
    case 'mprotect':
      return mprotect(sim, task, step.args, notes)
    case 'mremap':
      return mremap(sim, task, step.args, notes)
    case 'madvise':
      return madvise(sim, task, step.args, notes)
    case 'odirect':
      return odirect(sim, task, step.args, notes)
    case 'complete':
      return complete(sim, step.args)
    case 'fallocate':
      return fallocate(sim, step.args, notes)
    case 'badblock':
      return badblock(sim, step.args, notes)
    case 'memory_failure':
      return memoryFailure(sim, task, step.args, notes)
    case 'probe':
      return probe(sim, task, step.args)
    case 'migrate':
      return migrate(sim, task, step.args, notes)
    case 'mirror':
      return mirror(sim, task, step.args, notes)
    case 'snapshot':
      return snapshot(sim, task, step.args)
    case 'unbind':
      return unbind(sim, step.args, notes)
    case 'kill':
      throw new Error('kill is handled by the scheduler')
  }
}
