/**
 * Runs steps in order. A step the kernel would block blocks its task: that task's later steps queue,
 * other tasks go on, and the blocked step resumes as soon as a wake_up_var() on the page it waits for
 * finds the page idle. A task still blocked at the end is reported (and is a violation).
 */
import type { Step } from '../formats/scenario'
import { EventKind } from './events'
import { hex } from './folios'
import type { Task } from './mm'
import { runOp } from './ops/index'
import { exit } from './ops/process'
import type { OpOutcome } from './ops/outcome'
import type { BlockedTask, StepResult, StepSource, StepStatus } from './result'
import { CancelledError } from './errors'
import type { RunOptions } from './run'
import { SimError, type Simulation } from './sim'
import { SettledSteps } from './settled-steps'
import { SharedNotes } from './shared-notes'

/**
 * A step's result as the scheduler makes it, when it reaches the step. Made by a constructor as the
 * step runs rather than by a literal for every step up front: V8 gives a constructor's objects spare
 * in-object room sized by the first few it made (slack tracking), which by then have had `notes` or
 * `message` added, so adding them to later results allocates no separate property store. The fields
 * and their order are the literal's (`{ index, op, task, status, waited }`); the JSON is the same.
 * Device DAX bench: ~11 MB less garbage per run (see ADR 0027, "Later measured changes").
 */
class PendingResult implements StepResult {
  readonly index: number
  readonly op: string
  readonly task: string
  status: StepStatus = 'blocked'
  waited = false

  constructor(index: number, step: Step) {
    this.index = index
    this.op = step.op
    this.task = step.task
  }
}

interface Waiting {
  readonly task: Task
  readonly step: number
  outcome: Extract<OpOutcome, { status: 'blocked' }>
}

export class Scheduler {
  /**
   * The result objects of the steps reached so far, by index. A finished step's result is usually
   * kept in `settled` instead (./settled-steps.ts), its place here empty until `results` fills it.
   */
  private readonly all: (StepResult | undefined)[]
  private readonly settled: SettledSteps
  private readonly waiting: Waiting[] = []
  /** Index of the next step to run, and whether the end-of-run report was made. */
  private next = 0
  private finished = false

  constructor(
    private readonly sim: Simulation,
    private readonly steps: readonly Step[],
    private readonly options: RunOptions,
  ) {
    sim.planGupLifetimes(steps)
    // Filled as advance() reaches each step (PendingResult).
    this.all = new Array<StepResult | undefined>(steps.length)
    this.settled = new SettledSteps(steps)
  }

  /** Every step's result by index, the kept ones made now (each once: they stay in place). */
  get results(): StepResult[] {
    const all = this.all
    for (let i = 0; i < all.length; i++) if (all[i] === undefined && this.settled.has(i)) all[i] = this.settled.make(i)
    return all as StepResult[]
  }

  /** Step i's result: the scheduler's object, or one made from the columns (not kept). */
  private resultAt(i: number): StepResult {
    const made = this.all[i]
    if (made !== undefined) return made
    if (this.settled.has(i)) return this.settled.make(i)
    throw new RangeError(`step ${i} has no result yet`)
  }

  /**
   * Every step's result a range at a time, for a finished run (the store packs a chunk at a time): the
   * kept ones are made for the caller and not kept as objects here.
   */
  stepSource(): StepSource {
    return {
      count: this.all.length,
      range: (first, count) => {
        const out = new Array<StepResult>(count)
        for (let k = 0; k < count; k++) out[k] = this.resultAt(first + k)
        return out
      },
      // A result the scheduler holds as an object has no class: only kept ones are made alike.
      classes: (first, count) => {
        const out = new Float64Array(count)
        for (let k = 0; k < count; k++) if (this.all[first + k] === undefined) out[k] = this.settled.classOf(first + k)
        return out
      },
      // A classed result's op and task are its step's (SettledSteps.make).
      standIns: (first, count, classes) => {
        const out = new Array<object>(count)
        for (let k = 0; k < count; k++) out[k] = classes[k] !== 0 ? this.steps[first + k]! : this.resultAt(first + k)
        return out
      },
    }
  }

  get done(): number {
    return this.next
  }

  get total(): number {
    return this.steps.length
  }

  /** Runs every step, then reports what is still blocked. */
  run(): void {
    while (!this.advance(Number.MAX_SAFE_INTEGER)) {
      /* advance() does the work */
    }
  }

  /**
   * Runs at most `budget` more steps and returns true once the scenario is finished, so a host can
   * yield between slices (to report progress or take a cancel request) without the engine knowing.
   */
  advance(budget: number): boolean {
    const total = this.steps.length
    const stop = Math.min(total, this.next + budget)
    for (; this.next < stop; this.next++) {
      const i = this.next
      if (this.options.shouldStop?.()) throw new CancelledError(`cancelled at step ${i} of ${total}`)
      if (i % 256 === 0) this.options.onProgress?.(i, total)
      const step = this.steps[i]!
      const task = this.sim.task(step.task)
      if (this.isWaiting(task) || task.pending.length > 0) {
        const queued: StepResult = new PendingResult(i, step)
        queued.message = `queued: task ${task.name} is blocked`
        this.all[i] = queued
        task.pending.push(i)
        continue
      }
      this.execute(task, i)
      this.wakeBlocked(i)
    }
    if (this.next < total) return false
    if (!this.finished) this.finish()
    return true
  }

  private finish(): void {
    this.finished = true
    const total = this.steps.length
    this.options.onProgress?.(total, total)
    for (const w of this.waiting) {
      this.sim.trace.setContext(w.step, w.task.name)
      const unkillable = w.task.killPending ? ` (${w.task.killPending} pending: TASK_UNINTERRUPTIBLE, unkillable)` : ''
      this.sim.trace.violation('task_blocked', `task ${w.task.name} is still blocked in ${this.steps[w.step]!.op} (step ${w.step}): ${w.outcome.reason}${unkillable}`, w.outcome.waitOn)
      for (const p of w.task.pending) this.all[p]!.message = `never ran: task ${w.task.name} stayed blocked in step ${w.step}`
    }
  }

  blockedTasks(): BlockedTask[] {
    return this.waiting.map((w) => ({ task: w.task.name, step: w.step, op: this.steps[w.step]!.op, reason: w.outcome.reason, pfn: hex(w.outcome.waitOn) }))
  }

  private execute(task: Task, index: number): void {
    const step = this.steps[index]!
    // A step that was queued behind a blocked one has its object already (with its queued message,
    // which an ok outcome without a message leaves in place); a step run as it comes has none yet.
    const queued = this.all[index]
    this.sim.trace.setContext(index, task.name)
    this.sim.work.start(index, step.op)
    const notes = this.notes
    let outcome: OpOutcome
    if (task.exited) outcome = { status: 'error', error: 'ESRCH', message: `task ${task.name} has exited` }
    else {
      try {
        outcome = step.op === 'kill' ? this.kill(step.args.target, step.args.signal, index, notes) : runOp(this.sim, task, step, notes)
      } catch (err) {
        outcome = this.failure(err)
      }
    }
    // Most steps that write notes write one or two of a few texts (`pmd: mapped`): their results share
    // one frozen array per list (shared-notes.ts), and the next step reuses this one, so a long run
    // keeps no array per step. A blocked step's resume may still write to its notes: they stay its own.
    const shared = notes.length > 0 && notes.length <= 2 && outcome.status !== 'blocked' ? this.shared.of(notes) : undefined
    let resultNotes: string[] | undefined
    if (shared) {
      resultNotes = shared
      // pop() rather than `length = 0`, which is a runtime call.
      notes.pop()
      if (notes.length > 0) notes.pop()
    } else if (notes.length > 0 || outcome.status === 'blocked') {
      if (notes.length > 0) resultNotes = notes
      this.notes = []
    }
    // A result that can no longer change goes into columns (settled-steps.ts). For a step run as it
    // came, straight from its outcome: no object is made, which was 8 MB of the ~44 MB a run of the
    // device DAX bench allocated, and another 4.5 MB for the keys settle() added to it.
    if (queued === undefined && this.settled.keepOutcome(index, resultNotes, outcome)) return
    const result: StepResult = queued ?? new PendingResult(index, step)
    this.all[index] = result
    if (resultNotes !== undefined) result.notes = resultNotes
    this.settle(task, index, outcome)
    if (queued !== undefined && this.settled.keep(index, result, outcome)) this.all[index] = undefined
  }

  /** The empty notes array the next step writes to (see execute). */
  private notes: string[] = []
  /** Frozen notes arrays shared by the results of this run (see execute). */
  private readonly shared = new SharedNotes()

  /**
   * A fatal signal to `target`. A task sleeping TASK_INTERRUPTIBLE (dax_break_layout's wait_page_idle,
   * the 6.14 ___wait_var_event loops) wakes with -ERESTARTSYS and dies; one sleeping TASK_UNINTERRUPTIBLE
   * (dax_break_layout_final at evict/unmount, 6.15+) ignores it until the wait ends. A running task dies
   * at once (do_exit -> exit_mmap).
   */
  private kill(targetName: string, signal: string, index: number, notes: string[]): OpOutcome {
    const target = this.sim.tasks.get(targetName)
    if (!target || target.exited) throw new SimError('ESRCH', `no running task '${targetName}'`)
    const waiting = this.waiting.find((w) => w.task === target)
    if (!waiting) {
      this.die(target, `${signal}`)
      notes.push(`${targetName} killed`)
      return { status: 'ok' }
    }
    if (!waiting.outcome.interruptible) {
      target.killPending = signal
      notes.push(`${signal} pending: ${targetName} sleeps TASK_UNINTERRUPTIBLE (${waiting.outcome.reason}) and cannot be killed`)
      return { status: 'ok', message: `${targetName} is unkillable while it waits` }
    }
    this.waiting.splice(this.waiting.indexOf(waiting), 1)
    this.settle(target, waiting.step, { status: 'error', error: 'ERESTARTSYS', message: `interrupted by ${signal} while waiting: ${waiting.outcome.reason}` }, index)
    this.sim.trace.setContext(index, target.name)
    this.die(target, signal)
    notes.push(`${targetName} woke from TASK_INTERRUPTIBLE with -ERESTARTSYS and died`)
    return { status: 'ok' }
  }

  /** The task exits: its mappings go (exit_mmap), its queued steps never run. */
  private die(task: Task, why: string): void {
    const outcome = exit(this.sim, task)
    if (outcome.status === 'blocked') {
      // Evicting an unlinked, pinned file at exit would wait uninterruptibly; not modelled.
      this.sim.trace.violation('task_blocked', `task ${task.name} would wait in exit (${outcome.reason}); treated as gone`, outcome.waitOn)
    }
    task.killPending = undefined
    for (const p of task.pending) {
      const r = this.all[p]!
      r.status = 'error'
      r.error = 'ESRCH'
      r.message = `never ran: task ${task.name} was killed (${why})`
    }
    task.pending.length = 0
  }

  private isWaiting(task: Task): boolean {
    // A loop, not some(): this runs before every step, and a closure per call is garbage per step.
    const waiting = this.waiting
    for (let i = 0; i < waiting.length; i++) if (waiting[i]!.task === task) return true
    return false
  }

  private guard(fn: () => OpOutcome): OpOutcome {
    try {
      return fn()
    } catch (err) {
      return this.failure(err)
    }
  }

  /** A SimError is the step's error outcome; anything else is a bug and goes on up. */
  private failure(err: unknown): OpOutcome {
    if (err instanceof SimError) return { status: 'error', error: err.errno, message: err.message }
    throw err
  }

  private settle(task: Task, index: number, outcome: OpOutcome, after?: number): void {
    const result = this.all[index]!
    if (outcome.status === 'blocked') {
      result.status = 'blocked'
      // One wait event per blocked step: `before` is the refcount of the page waited on.
      if (!result.waited) this.sim.trace.emit(EventKind.WAIT, outcome.waitOn, this.sim.folios.refcount[this.sim.folios.folio(outcome.waitOn)]!, 0, outcome.reason)
      result.waited = true
      result.message = outcome.reason
      const existing = this.waiting.find((w) => w.task === task)
      if (existing) existing.outcome = outcome
      else this.waiting.push({ task, step: index, outcome })
      return
    }
    result.status = outcome.status
    if (after !== undefined) result.completed_after = after
    if (outcome.extra) Object.assign(result, outcome.extra)
    if (outcome.status === 'error') {
      result.error = outcome.error
      result.message = outcome.message
    } else {
      if (outcome.signal) result.signal = outcome.signal
      if (outcome.si_code) result.si_code = outcome.si_code
      if (outcome.probe) result.probe = outcome.probe
      if (outcome.message) result.message = outcome.message
      else if (result.waited) delete result.message
    }
  }

  /** After each step: resume every waiter whose page was woken, then run what it had queued. */
  private wakeBlocked(after: number): void {
    const woken = this.sim.trace.woken
    // Nobody waits (the common case): the wake-ups find no one, as the loop below would conclude.
    if (this.waiting.length === 0) {
      // Setting an array's length is a runtime call: only when there is something to drop.
      if (woken.length !== 0) woken.length = 0
      return
    }
    while (woken.length > 0) {
      const pages = new Set(woken)
      woken.length = 0
      for (const w of [...this.waiting]) {
        if (!pages.has(w.outcome.waitOn)) continue
        this.sim.trace.setContext(w.step, w.task.name)
        this.sim.work.start(w.step, this.steps[w.step]!.op)
        const outcome = this.guard(() => w.outcome.resume())
        if (outcome.status === 'blocked') {
          w.outcome = outcome
          this.all[w.step]!.message = outcome.reason
          continue
        }
        this.waiting.splice(this.waiting.indexOf(w), 1)
        this.settle(w.task, w.step, outcome, after)
        if (w.task.killPending) {
          this.die(w.task, `${w.task.killPending} delivered once the uninterruptible wait ended`)
          continue
        }
        while (!this.isWaiting(w.task) && w.task.pending.length > 0) {
          const next = w.task.pending.shift()!
          delete this.all[next]!.message
          this.execute(w.task, next)
        }
      }
    }
  }
}
