/**
 * The atomic-step machine of one run: the setup steps have run (the ordinary scheduler), and each
 * concurrent task has a list of steps. `enabled()` names the tasks whose next atomic step can run now
 * (its locks are free, its wait condition holds); `step(t)` runs exactly one atomic step of task t.
 * Choosing the task is the caller's job: the default schedule (schedule.ts), a replayed schedule file,
 * or the explorer (search.ts).
 */
import type { ConcurrentTask, Step } from '../formats/scenario'
import { EventKind } from '../sim/events'
import { hex } from '../sim/folios'
import type { Task } from '../sim/mm'
import type { OpOutcome } from '../sim/ops/outcome'
import type { BlockedTask, StepResult } from '../sim/result'
import { SimError, type Simulation } from '../sim/sim'
import type { Atomic, AtomicEnd, OpContext } from './atomic'
import { LockTable } from './locks'
import { firstStep } from './ops/index'
import { simStateKey } from './state-key'

/** One atomic step as it ran: what a swimlane view draws (docs/explore.md#result-json). */
export interface AtomicRecord {
  readonly task: string
  /** Index of the scenario step (in the run's `steps`) this atomic step belongs to. */
  readonly step: number
  readonly op: string
  readonly label: string
  readonly source: string
  /** Pages (hex pfns) it read or changed: two tasks' steps touching one page are racing. */
  readonly pages: readonly string[]
}

interface TaskState {
  readonly name: string
  readonly task: Task
  /** Indices into the run's steps, in order. */
  readonly steps: readonly number[]
  pos: number
  current?: Atomic
  ctx?: OpContext
  executed: number
  waited: boolean
}

export class Machine {
  readonly locks = new LockTable()
  readonly records: AtomicRecord[] = []
  private readonly tasks: TaskState[]

  constructor(
    private readonly sim: Simulation,
    private readonly allSteps: readonly Step[],
    private readonly results: StepResult[],
    concurrent: readonly ConcurrentTask[],
    firstIndex: number,
  ) {
    let index = firstIndex
    this.tasks = concurrent.map((c) => ({ name: c.task, task: sim.task(c.task), steps: c.steps.map(() => index++), pos: 0, executed: 0, waited: false }))
  }

  get taskNames(): string[] {
    return this.tasks.map((t) => t.name)
  }

  /** Tasks (by index) whose next atomic step can run now. */
  enabled(): number[] {
    const out: number[] = []
    for (let i = 0; i < this.tasks.length; i++) if (this.canRun(i)) out.push(i)
    return out
  }

  finished(): boolean {
    return this.tasks.every((t) => t.pos >= t.steps.length)
  }

  /** Whether task t has steps left (it may be waiting). */
  unfinished(t: number): boolean {
    const ts = this.tasks[t]!
    return ts.pos < ts.steps.length
  }

  canRun(t: number): boolean {
    const ts = this.tasks[t]!
    if (ts.pos >= ts.steps.length) return false
    const atomic = this.current(ts)
    if (atomic.takes && !this.locks.canTake(ts.name, atomic.takes)) return false
    return atomic.until ? atomic.until(ts.ctx!) : true
  }

  /** The next atomic step of task t (what step(t) would run). */
  peek(t: number): Atomic | undefined {
    const ts = this.tasks[t]!
    return ts.pos < ts.steps.length ? this.current(ts) : undefined
  }

  private current(ts: TaskState): Atomic {
    if (ts.current) return ts.current
    const index = ts.steps[ts.pos]!
    const step = { ...this.allSteps[index]!, task: ts.name } as Step
    ts.ctx = { sim: this.sim, task: ts.task, locks: this.locks, step, notes: [] }
    ts.waited = false
    ts.current = ts.task.exited ? exitedStep(ts.name) : firstStep(ts.ctx)
    return ts.current
  }

  /** Runs one atomic step of task t; the caller checked canRun(t). */
  step(t: number): AtomicRecord {
    const ts = this.tasks[t]!
    const atomic = this.current(ts)
    const index = ts.steps[ts.pos]!
    const ctx = ts.ctx!
    this.sim.trace.setContext(index, ts.name)
    this.sim.work.start(index, ctx.step.op)
    if (atomic.takes) this.locks.take(ts.name, atomic.takes)
    // A task whose next step cannot run while this one does is waiting (its result says `waited`).
    for (const other of this.tasks) if (other !== ts && other.pos < other.steps.length && !other.waited && !this.canRun(this.tasks.indexOf(other))) other.waited = true
    const before = this.sim.trace.events.count
    let end: AtomicEnd
    try {
      end = atomic.run(ctx)
    } catch (err) {
      if (!(err instanceof SimError)) throw err
      end = { done: { status: 'error', error: err.errno, message: err.message } }
    }
    ts.executed += 1
    const record: AtomicRecord = { task: ts.name, step: index, op: ctx.step.op, label: atomic.label, source: atomic.source, pages: this.pagesTouched(before, atomic) }
    this.records.push(record)
    if ('next' in end) ts.current = end.next
    else this.complete(ts, index, end.done)
    return record
  }

  private pagesTouched(before: number, atomic: Atomic): string[] {
    const pages = new Set<string>()
    const ev = this.sim.trace.events
    for (let i = before; i < ev.count; i++) {
      const kind = ev.kind[i]
      // PGMAP_REFS carries a region index, not a pfn.
      if (kind !== EventKind.PGMAP_REFS) pages.add(hex(ev.pfn[i]!))
    }
    for (const pfn of atomic.reads?.() ?? []) pages.add(hex(pfn))
    return [...pages]
  }

  private complete(ts: TaskState, index: number, outcome: OpOutcome): void {
    const result = this.results[index]!
    const notes = ts.ctx!.notes
    if (notes.length > 0) result.notes = notes
    result.waited = ts.waited
    if (outcome.status === 'error') {
      result.status = 'error'
      result.error = outcome.error
      result.message = outcome.message
    } else if (outcome.status === 'ok') {
      result.status = 'ok'
      if (outcome.signal) result.signal = outcome.signal
      if (outcome.probe) result.probe = outcome.probe
      if (outcome.message) result.message = outcome.message
    }
    this.locks.releaseAll(ts.name)
    ts.current = undefined
    ts.ctx = undefined
    ts.pos += 1
  }

  /** After the schedule: every task left waiting is a blocked task (and a task_blocked violation). */
  finish(): void {
    for (const ts of this.tasks) {
      if (ts.pos >= ts.steps.length) continue
      const atomic = this.current(ts)
      const index = ts.steps[ts.pos]!
      const reason = atomic.waitReason ?? `waiting to take ${atomic.takes?.map((l) => l.name).join(', ') ?? 'a lock'}`
      this.sim.trace.setContext(index, ts.name)
      if (atomic.waitOn !== undefined) this.sim.trace.emit(EventKind.WAIT, atomic.waitOn, this.sim.folios.refcount[this.sim.folios.folio(atomic.waitOn)]!, 0, reason)
      this.sim.trace.violation('task_blocked', `task ${ts.name} is still blocked in ${this.allSteps[index]!.op} (step ${index}) at '${atomic.label}': ${reason}`, atomic.waitOn)
      const result = this.results[index]!
      result.status = 'blocked'
      result.waited = true
      result.message = reason
      for (const later of ts.steps.slice(ts.pos + 1)) this.results[later]!.message = `never ran: task ${ts.name} stayed blocked in step ${index}`
    }
  }

  blockedTasks(): BlockedTask[] {
    const out: BlockedTask[] = []
    for (const ts of this.tasks) {
      if (ts.pos >= ts.steps.length) continue
      const atomic = this.current(ts)
      const index = ts.steps[ts.pos]!
      out.push({ task: ts.name, step: index, op: this.allSteps[index]!.op, reason: atomic.waitReason ?? `at '${atomic.label}'`, ...(atomic.waitOn !== undefined ? { pfn: hex(atomic.waitOn) } : {}) })
    }
    return out
  }

  /** The whole machine state: the Simulation's, the locks, and each task's position and next step. */
  key(): string {
    const tasks = this.tasks.map((ts) => `${ts.name}@${ts.pos}.${ts.executed}:${ts.pos < ts.steps.length ? this.current(ts).key : '-'}`)
    return `${simStateKey(this.sim)} L${this.locks.key()} T${tasks.join('|')}`
  }
}

function exitedStep(name: string): Atomic {
  return {
    label: 'task has exited',
    source: 'kernel/exit.c do_exit',
    key: 'exited',
    run: () => ({ done: { status: 'error', error: 'ESRCH', message: `task ${name} has exited` } }),
  }
}
