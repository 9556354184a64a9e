/**
 * The concurrent part of an ordinary run: after the setup steps, the `concurrent:` tasks' atomic
 * steps run in one deterministic schedule. Default (docs/explore.md#default-schedule): round-robin in
 * task order — after each atomic step the next task in declaration order that can run takes the next
 * step, starting with the first task; a task that waits (a lock another holds, a page not idle) is
 * passed over. A replayed schedule (RunOptions.schedule) names the task of each step first; a choice
 * naming a task that cannot run there is refused (ScheduleError), and the run continues round-robin
 * after the last choice.
 */
import type { Scenario, Step } from '../formats/scenario'
import type { StepResult } from '../sim/result'
import type { Simulation } from '../sim/sim'
import { Machine } from './machine'

/** A replayed schedule that does not fit the run: `path` is the field (`choices[4]`), `reason` why. */
export class ScheduleError extends Error {
  override name = 'ScheduleError'
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`schedule: ${path}: ${reason}`)
  }
}

/** Most atomic steps one run of a concurrent block may take (a schedule that never ends is a bug). */
export const MAX_ATOMIC_STEPS = 1_000_000

/** The scenario's steps followed by every concurrent task's steps, as the run's step list. */
export function allSteps(scenario: Scenario): Step[] {
  const extra = (scenario.concurrent ?? []).flatMap((t) => t.steps.map((s) => ({ ...s, task: t.task }) as Step))
  return extra.length === 0 ? scenario.steps : [...scenario.steps, ...extra]
}

export class ConcurrentPart {
  readonly machine: Machine
  readonly results: StepResult[]
  /** The task of every atomic step that ran, in order (what --emit-schedule writes). */
  readonly choices: string[] = []
  ran = false

  constructor(sim: Simulation, scenario: Scenario) {
    const steps = allSteps(scenario)
    const first = scenario.steps.length
    this.results = steps.slice(first).map((s, i) => ({ index: first + i, op: s.op, task: s.task, status: 'blocked', waited: false }))
    // The gup/unpin pairing spans both parts (Simulation.retireGup).
    sim.planGupLifetimes(steps)
    // The machine finds a step's result by its index in the run's step list.
    const byIndex: StepResult[] = new Array<StepResult>(first)
    byIndex.push(...this.results)
    this.machine = new Machine(sim, steps, byIndex, scenario.concurrent ?? [], first)
  }

  /** Runs the block: `schedule` first (task names), then round-robin to the end. */
  run(schedule: readonly string[] = []): void {
    this.ran = true
    const m = this.machine
    const names = m.taskNames
    let last = -1
    schedule.forEach((name, i) => {
      const t = names.indexOf(name)
      if (t < 0) throw new ScheduleError(`choices[${i}]`, `'${name}' is not a concurrent task of this scenario (${names.join(', ')})`)
      if (!m.canRun(t)) {
        const next = m.peek(t)
        throw new ScheduleError(`choices[${i}]`, `task '${name}' cannot run at this point (${next ? `its next step '${next.label}' ${next.until ? 'is waiting' : 'needs a lock another task holds'}` : 'it has no steps left'})`)
      }
      this.take(t)
      last = t
    })
    for (;;) {
      const t = nextRoundRobin(m, last)
      if (t === undefined) break
      if (this.choices.length >= MAX_ATOMIC_STEPS) throw new ScheduleError('concurrent', `the block ran ${MAX_ATOMIC_STEPS} atomic steps without finishing`)
      this.take(t)
      last = t
    }
    m.finish()
  }

  private take(t: number): void {
    this.machine.step(t)
    this.choices.push(this.machine.taskNames[t]!)
  }
}

/** The next task after `last` in declaration order that can run, or undefined when none can. */
export function nextRoundRobin(m: Machine, last: number): number | undefined {
  const n = m.taskNames.length
  for (let k = 1; k <= n; k++) {
    const t = (last + k + n) % n
    if (m.canRun(t)) return t
  }
  return undefined
}
