/**
 * Work budgets. The engine's work in one step is proportional to the extents, folios and page-table
 * entries it touches, never to the byte length of a range. Some steps still ask for a lot of real work
 * (mlock of a 1 PiB mapping installs 2^29 PMDs; a gup of 10^11 pages takes 10^11 references), which a
 * kernel would do and the lab cannot simulate in bounded time or memory. Such a step is refused with
 * a BudgetError naming the step and the limit; the run stops (docs/kernel-model.md#work-budgets).
 */
import { ModelError } from './errors'

/** Page-table entries, folio references, extents or loop iterations one step may cost. */
export const STEP_BUDGET = 1 << 20
/** Trace events one run may record (42 bytes each in memory: 1.4 GB at the limit). */
export const RUN_EVENT_BUDGET = 1 << 25

export class BudgetError extends ModelError {
  override name = 'BudgetError'
}

/** Counts the work of the current step; the scheduler resets it before each step. */
export class WorkMeter {
  private used = 0
  private step = -1
  private op = ''

  start(step: number, op: string): void {
    this.step = step
    this.op = op
    this.used = 0
  }

  /**
   * Refuses, before doing it, work that alone would exceed the budget. `what` names the work, or makes
   * its name from `units` only when it refuses (a hot step, gup, need not build a text per call).
   */
  require(units: number, what: string | ((units: number) => string)): void {
    if (!(units <= STEP_BUDGET)) throw this.refuse(typeof what === 'string' ? what : what(units))
  }

  /** Adds work as it is done; throws once the step's total passes the budget. */
  charge(units: number, what: string): void {
    this.used += units
    if (this.used > STEP_BUDGET) throw this.refuse(what)
  }

  private refuse(what: string): BudgetError {
    return new BudgetError(
      `step ${this.step} (${this.op}): ${what} exceeds the per-step work budget of ${STEP_BUDGET.toLocaleString('en-US')} entries, references or extents; a kernel would do this work, the lab refuses what it cannot simulate in bounded time`,
    )
  }
}
