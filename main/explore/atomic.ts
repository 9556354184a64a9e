/**
 * The atomic-step model: an operation that races in the kernel is a chain of atomic steps, each the
 * code the kernel runs between two points where another CPU can act. A step names the locks it needs
 * (it cannot start while another task holds them), may wait for a condition (wait_var_event), and
 * runs against the Simulation's own primitives, so every count, entry and violation is the engine's.
 * Who runs next is not decided here: machine.ts runs one step of a task on request, and the default
 * schedule (run.ts) and the explorer (search.ts) are the schedulers (loom/dejafu's split).
 */
import type { Step } from '../formats/scenario'
import type { OpOutcome } from '../sim/ops/outcome'
import type { Task } from '../sim/mm'
import type { Simulation } from '../sim/sim'
import type { LockRequest, LockTable } from './locks'

/** What one task's operation sees while its steps run. */
export interface OpContext {
  readonly sim: Simulation
  readonly task: Task
  readonly locks: LockTable
  readonly step: Step
  /** The step result's notes (what the ordinary run writes, e.g. `pte: mapped`). */
  readonly notes: string[]
}

export type AtomicEnd = { readonly next: Atomic } | { readonly done: OpOutcome }

export interface Atomic {
  /** Short name of the kernel code this step is, e.g. `gup-fast: try_grab_folio_fast`. */
  readonly label: string
  /** Kernel file and function (and releases) the step boundary comes from. */
  readonly source: string
  /**
   * The step's identity for state hashing: its label plus every value it captured from earlier steps
   * (an entry read, a folio found). Two tasks states with equal keys have equal futures.
   */
  readonly key: string
  /** Locks taken as the step starts; it is not enabled while another task holds one of them. */
  readonly takes?: readonly LockRequest[]
  /** A wait: the step is enabled only once this holds (the condition a wake_up_var() re-checks). */
  readonly until?: (ctx: OpContext) => boolean
  /** Why the step waits, for the blocked-task report. */
  readonly waitReason?: string
  /** Folio head waited on, for the blocked-task report. */
  readonly waitOn?: number
  /** Pages (pfn) the step reads without changing (GUP-fast's entry read); changes come from the trace. */
  readonly reads?: () => readonly number[]
  readonly run: (ctx: OpContext) => AtomicEnd
}

export const done = (outcome: OpOutcome): AtomicEnd => ({ done: outcome })
export const continueWith = (next: Atomic): AtomicEnd => ({ next })
