/**
 * What every operation writes to: the event log, the violations found, and the wake-ups issued. The
 * scheduler sets `step` and `task` before running a step so each event carries its origin.
 */
import type { CauseId } from './causes'
import { EventLog, EventKind, LEVEL_CODES } from './events'
import { finding } from './findings'
import type { Violation, ViolationKind } from './result'

export type LevelName = keyof typeof LEVEL_CODES

export class Trace {
  readonly events = new EventLog()
  readonly violations: Violation[] = []
  /**
   * Folio heads passed to wake_up_var() since the scheduler last looked, repeats included. A list, not
   * a Set: most runs wake pages nobody waits on (every FS DAX free wakes its page), and an append is
   * cheaper than a hash insert; the scheduler makes a set of it only when a task waits.
   */
  readonly woken: number[] = []
  step = -1
  task = 0

  /** The task name setContext() saw last: consecutive steps of one task skip the id lookup. */
  private taskName: string | undefined

  setContext(step: number, task: string): void {
    this.step = step
    if (task === this.taskName) return
    this.task = this.events.taskId(task)
    this.taskName = task
  }

  /**
   * Appends one event. `cause` is an interned CauseId on every engine path (causes.ts); a string is
   * for texts that carry run data (a wait reason naming a pfn) and for callers outside the engine.
   */
  emit(kind: EventKind, pfn: number, before: number, after: number, cause: CauseId | string, level: LevelName = 'none', entry = 0n): void {
    const id = typeof cause === 'number' ? this.events.internedCause(cause) : this.events.causeId(cause)
    this.events.push(this.step, this.task, kind, LEVEL_CODES[level], pfn, before, after, id, entry)
  }

  /** The hot path of emit(): a count change (no level, no entry) with an interned cause. */
  countEvent(kind: EventKind, pfn: number, before: number, after: number, cause: CauseId): void {
    this.events.pushCount(this.step, this.task, kind, pfn, before, after, this.events.internedCause(cause))
  }

  /** The hot path of emit() for page-table entries: level code (LEVEL_CODES) and the encoded entry. */
  entryEvent(kind: EventKind, pfn: number, addrPage: number, cause: CauseId, levelCode: number, entry: bigint): void {
    this.events.push(this.step, this.task, kind, levelCode, pfn, addrPage, 0, this.events.internedCause(cause), entry)
  }

  /** One finding: the kind, where, and (findings.ts) the rule and the kernel consequence; `consequence` overrides the kind's. */
  violation(kind: ViolationKind, message: string, pfn?: number, consequence?: string): void {
    const f = finding(kind)
    this.violations.push({ kind, step: this.step, message, ...(pfn !== undefined ? { pfn: '0x' + pfn.toString(16) } : {}), rule: f.rule, consequence: consequence ?? f.consequence })
  }

  wake(head: number, cause: CauseId): void {
    this.woken.push(head)
    this.emit(EventKind.WAKE, head, 0, 0, cause)
  }
}
