/**
 * What every operation writes to: the event log, the violations found, and the wake-ups issued. The
 * scheduler sets `step` and `task` before running a step so each event carries its origin.
 */
import { EventLog, EventKind, LEVEL_CODES } from './events'
import type { Violation, ViolationKind } from './result'

export class Trace {
  readonly events = new EventLog()
  readonly violations: Violation[] = []
  /** Folio heads passed to wake_up_var() since the scheduler last looked. */
  readonly woken = new Set<number>()
  step = -1
  task = 0

  setContext(step: number, task: string): void {
    this.step = step
    this.task = this.events.taskId(task)
  }

  emit(kind: EventKind, pfn: number, before: number, after: number, cause: string, level: keyof typeof LEVEL_CODES = 'none', entry = 0n): void {
    this.events.push(this.step, this.task, kind, LEVEL_CODES[level], pfn, before, after, this.events.causeId(cause), entry)
  }

  violation(kind: ViolationKind, message: string, pfn?: number): void {
    this.violations.push({ kind, step: this.step, message, ...(pfn !== undefined ? { pfn: '0x' + pfn.toString(16) } : {}) })
  }

  wake(head: number, cause: string): void {
    this.woken.add(head)
    this.emit(EventKind.WAKE, head, 0, 0, cause)
  }
}
