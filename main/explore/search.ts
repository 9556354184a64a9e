/**
 * The interleaving explorer: every schedule of a scenario's `concurrent:` block, breadth-first, with
 * state merging. A node is a machine state (the Simulation's state, the locks, each task's position
 * and next atomic step: Machine.key); its children are the states one enabled task's next atomic step
 * leads to. A child whose state was already reached at this depth is merged into it (the number of
 * schedules reaching it is summed, it is not expanded again): with every task's step counter in the
 * key the state graph is layered by depth, so merged states have the same past length and the same
 * future, and the outcome counts stay exact. Breadth-first order makes the first schedule found that
 * reaches a violation kind a shortest one (in atomic steps).
 *
 * The engine is deterministic, so a node is not copied: it is rebuilt by replaying its schedule from
 * the initial state (setup steps, then the choices) — "stateless" model checking as in CHESS/loom,
 * with the state hashing on top. Pure: hosts (the CLI) call advance() in slices and yield between.
 *
 * Not done (docs/explore.md#limits): DPOR with sleep sets (state merging does the pruning), and
 * worker threads for independent subtrees.
 */
import type { Profile } from '../formats/profile'
import type { Scenario } from '../formats/scenario'
import { ModelError } from '../sim/errors'
import { simulationFactory, type RunOptions } from '../sim/run'
import { Scheduler } from '../sim/scheduler'
import type { ViolationKind } from '../sim/result'
import { hex } from '../sim/folios'
import type { Simulation } from '../sim/sim'
import { ConcurrentPart } from './concurrent-run'
import type { AtomicRecord } from './machine'

export type ExploreOptions = Pick<RunOptions, 'kernel' | 'arch' | 'variant' | 'patches'> & {
  /** Stop after this many schedule executions (replays); the result then says it is not complete. */
  readonly maxSchedules?: number
  /** At most this many preemptions (switching away from a task that could go on) per schedule. */
  readonly preemptionBound?: number
  /** Called with progress after each slice. */
  readonly onProgress?: (p: ExploreProgress) => void
}

export interface ExploreProgress {
  readonly depth: number
  readonly states: number
  readonly schedules_executed: number
}

export interface FolioOutcome {
  readonly pfn: string
  readonly refcount: number
  readonly mapcount: number
  readonly pincount: number
}

export interface Outcome {
  /** Complete schedules that end in this outcome. */
  count: number
  readonly violations: ViolationKind[]
  readonly blocked: string[]
  readonly folios: FolioOutcome[]
  readonly pgmaps: { readonly name: string; readonly refs: number }[]
  /** Pages marked HWPoison at the end (hex pfns). */
  readonly poisoned: string[]
  /** One schedule reaching it (task per atomic step), shortest first found. */
  readonly example: string[]
}

/** One atomic step of a counterexample, as a swimlane draws it. */
export interface SwimStep extends AtomicRecord {
  /** True when the step touches a page another task's step in this schedule touches. */
  readonly racing: boolean
}

export interface Counterexample {
  readonly kind: ViolationKind
  /** Atomic steps up to and including the one that raised the violation. */
  readonly length: number
  readonly message: string
  readonly schedule: SwimStep[]
  /** The task of each atomic step: what a schedule file holds (docs/explore.md#schedule-file). */
  readonly choices: string[]
}

export interface ExploreResult {
  readonly format: 'daxlab-explore/1'
  readonly scenario: string
  readonly kernel: string
  readonly arch: string
  readonly variant: string
  readonly tasks: string[]
  /** True only when every schedule was explored (no bound cut the search, not interrupted). */
  complete: boolean
  /** What cut the search, when it is not complete. */
  cut?: string
  /** Schedule prefixes the engine executed (each a replay from the initial state). */
  schedules_executed: number
  /** Distinct machine states reached. */
  states: number
  /** Transitions merged into an already reached state (not expanded again). */
  pruned: number
  /** Complete schedules that exist (within the preemption bound), counted through the merged states. */
  schedules_total: number
  /** Longest schedule in atomic steps. */
  max_depth: number
  elapsed_ms: number
  outcomes: Outcome[]
  counterexamples: Counterexample[]
}

interface Node {
  readonly choices: number[]
  count: number
  readonly last: number
  readonly preemptions: number
}

export class Explorer {
  private layer: Node[] = []
  private next = new Map<string, Node>()
  private readonly outcomes = new Map<string, Outcome>()
  private readonly counterexamples = new Map<ViolationKind, Counterexample>()
  private readonly res: ExploreResult
  private depth = 0
  private readonly started = Date.now()
  private finished = false
  private readonly newSimulation: () => Simulation

  constructor(
    private readonly scenario: Scenario,
    private readonly profile: Profile,
    private readonly options: ExploreOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    if (!scenario.concurrent) throw new ModelError(`scenario '${scenario.name}' has no concurrent: block; there is nothing to interleave (docs/explore.md)`)
    this.newSimulation = simulationFactory(scenario, profile, options)
    const root = this.replay([])
    this.res = {
      format: 'daxlab-explore/1',
      scenario: scenario.name,
      kernel: root.sim.kernel.label,
      arch: root.sim.arch.plugin.id,
      variant: root.sim.arch.variant,
      tasks: root.part.machine.taskNames,
      complete: false,
      schedules_executed: 1,
      states: 1,
      pruned: 0,
      schedules_total: 0,
      max_depth: 0,
      elapsed_ms: 0,
      outcomes: [],
      counterexamples: [],
    }
    this.layer = [{ choices: [], count: 1, last: -1, preemptions: 0 }]
  }

  /** Explores up to `budget` more schedule executions; true once the search is over. */
  advance(budget: number): boolean {
    if (this.finished) return true
    const stop = this.res.schedules_executed + budget
    while (this.res.schedules_executed < stop) {
      if (this.options.maxSchedules !== undefined && this.res.schedules_executed >= this.options.maxSchedules) {
        this.cutBy(`--max-schedules ${this.options.maxSchedules}: ${this.layer.length + this.next.size} state(s) at depth ${this.depth} and beyond were not explored`)
        return true
      }
      const node = this.layer.pop()
      if (!node) {
        if (this.next.size === 0) {
          this.finish()
          return true
        }
        this.layer = [...this.next.values()].reverse()
        this.next = new Map()
        this.depth += 1
        this.options.onProgress?.({ depth: this.depth, states: this.res.states, schedules_executed: this.res.schedules_executed })
        continue
      }
      this.expand(node)
    }
    this.options.onProgress?.({ depth: this.depth, states: this.res.states, schedules_executed: this.res.schedules_executed })
    return false
  }

  /** Stops the search here (Ctrl-C): what was found is kept, the result says it is not complete. */
  interrupt(why: string): void {
    if (!this.finished) this.cutBy(why)
  }

  result(): ExploreResult {
    this.res.elapsed_ms = this.now() - this.started
    this.res.outcomes = [...this.outcomes.values()].sort((a, b) => b.count - a.count)
    this.res.counterexamples = [...this.counterexamples.values()].sort((a, b) => a.length - b.length || (a.kind < b.kind ? -1 : 1))
    return this.res
  }

  private cutBy(why: string): void {
    this.res.complete = false
    this.res.cut = this.res.cut ? `${this.res.cut}; ${why}` : why
    this.finished = true
  }

  private finish(): void {
    this.finished = true
    if (this.res.cut === undefined) this.res.complete = true
  }

  /** A fresh replay of `choices` (enumerateNaive shares the explorer's machine set-up). */
  replayForNaive(choices: readonly number[]): { sim: Simulation; part: ConcurrentPart } {
    return this.replay(choices)
  }

  private replay(choices: readonly number[]): { sim: Simulation; part: ConcurrentPart } {
    const sim = this.newSimulation()
    new Scheduler(sim, this.scenario.steps, {}).run()
    const part = new ConcurrentPart(sim, this.scenario)
    for (const t of choices) part.machine.step(t)
    return { sim, part }
  }

  private expand(node: Node): void {
    const parent = this.replay(node.choices)
    const m = parent.part.machine
    const enabled = m.enabled()
    if (enabled.length === 0) {
      this.terminal(node, parent.sim, parent.part)
      return
    }
    const before = new Set(parent.sim.trace.violations.map((v) => v.kind))
    const bound = this.options.preemptionBound
    const children = enabled.filter((t) => {
      const preempts = node.last >= 0 && t !== node.last && enabled.includes(node.last)
      if (bound !== undefined && preempts && node.preemptions + 1 > bound) {
        if (this.res.cut === undefined || !this.res.cut.includes('--preemption-bound')) {
          this.res.cut = `${this.res.cut ? this.res.cut + '; ' : ''}--preemption-bound ${bound}: schedules with more preemptions were not explored`
        }
        return false
      }
      return true
    })
    children.forEach((t, i) => {
      // The last child reuses the parent's replay instead of replaying once more.
      const child = i === children.length - 1 ? parent : this.replay(node.choices)
      if (child !== parent) this.res.schedules_executed += 1
      child.part.machine.step(t)
      const choices = [...node.choices, t]
      const preemptions = node.preemptions + (node.last >= 0 && t !== node.last && enabled.includes(node.last) ? 1 : 0)
      for (const v of child.sim.trace.violations) if (!before.has(v.kind)) this.counterexample(v.kind, v.message, choices, child.part)
      const key = child.part.machine.key() + (bound !== undefined ? ` P${t}:${preemptions}` : '')
      const seen = this.next.get(key)
      if (seen) {
        seen.count += node.count
        this.res.pruned += 1
        return
      }
      this.res.states += 1
      this.res.max_depth = Math.max(this.res.max_depth, choices.length)
      this.next.set(key, { choices, count: node.count, last: t, preemptions })
    })
  }

  private counterexample(kind: ViolationKind, message: string, choices: number[], part: ConcurrentPart): void {
    if (this.counterexamples.has(kind)) return
    const names = part.machine.taskNames
    this.counterexamples.set(kind, { kind, length: choices.length, message, schedule: swimlanes(part.machine.records), choices: choices.map((t) => names[t]!) })
  }

  private terminal(node: Node, sim: Simulation, part: ConcurrentPart): void {
    const kindsBefore = new Set(sim.trace.violations.map((v) => v.kind))
    part.machine.finish()
    const names = part.machine.taskNames
    for (const v of sim.trace.violations) if (!kindsBefore.has(v.kind)) this.counterexample(v.kind, v.message, node.choices, part)
    const outcome = outcomeOf(sim, part)
    const key = outcomeKey(outcome)
    const seen = this.outcomes.get(key)
    if (seen) seen.count += node.count
    else this.outcomes.set(key, { ...outcome, count: node.count, example: node.choices.map((t) => names[t]!) })
    this.res.schedules_total += node.count
  }
}

function outcomeOf(sim: Simulation, part: ConcurrentPart): Omit<Outcome, 'count' | 'example'> {
  const f = sim.folios
  return {
    violations: [...new Set(sim.trace.violations.map((v) => v.kind))].sort(),
    blocked: part.machine.blockedTasks().map((b) => b.task).sort(),
    folios: f.touched().map((x) => ({ pfn: hex(f.head[x]!), refcount: f.refcount[x]!, mapcount: f.mapcount[x]!, pincount: f.pincount[x]! })),
    pgmaps: sim.regions.filter((r) => r.pgmap).map((r) => ({ name: r.pgmap!.name, refs: r.pgmap!.refs })),
    poisoned: [...sim.poisoned].sort((a, b) => a - b).map(hex),
  }
}

/** Marks the steps that touch a page another task's step also touches (the racing steps). */
export function swimlanes(records: readonly AtomicRecord[]): SwimStep[] {
  const tasksByPage = new Map<string, Set<string>>()
  for (const r of records) for (const p of r.pages) (tasksByPage.get(p) ?? tasksByPage.set(p, new Set()).get(p)!).add(r.task)
  return records.map((r) => ({ ...r, racing: r.pages.some((p) => tasksByPage.get(p)!.size > 1) }))
}

/**
 * Naive enumeration, the reference the pruning is checked against: every complete schedule executed
 * once from the initial state (depth-first, no merging). Returns the outcomes (as the explorer groups
 * them) and the number of schedules; refuses to go past `limit` schedules.
 */
export function enumerateNaive(scenario: Scenario, profile: Profile, options: ExploreOptions = {}, limit = 100_000): { schedules: number; outcomes: Map<string, number> } {
  const e = new Explorer(scenario, profile, options)
  const outcomes = new Map<string, number>()
  let schedules = 0
  // Each entry: the choices made and, per position, the enabled tasks not yet tried there.
  const stack: { prefix: number[] }[] = [{ prefix: [] }]
  while (stack.length > 0) {
    const { prefix } = stack.pop()!
    if (++schedules > limit) throw new Error(`naive enumeration passed ${limit} schedules`)
    const run = e.replayForNaive(prefix)
    const choices = [...prefix]
    for (;;) {
      const enabled = run.part.machine.enabled()
      if (enabled.length === 0) break
      // Alternatives at this position are explored later, each from its own replay.
      for (const alt of enabled.slice(1).reverse()) stack.push({ prefix: [...choices, alt] })
      run.part.machine.step(enabled[0]!)
      choices.push(enabled[0]!)
    }
    run.part.machine.finish()
    const key = outcomeKey(outcomeOf(run.sim, run.part))
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
  }
  return { schedules, outcomes }
}

/** The outcome key the explorer groups by (for comparing with enumerateNaive). */
export function outcomeKey(o: Pick<Outcome, 'violations' | 'blocked' | 'folios' | 'pgmaps' | 'poisoned'>): string {
  return JSON.stringify([o.violations, o.blocked, o.folios, o.pgmaps, o.poisoned])
}

/** Runs a whole exploration synchronously (tests, the bench). */
export function explore(scenario: Scenario, profile: Profile, options: ExploreOptions = {}): ExploreResult {
  const e = new Explorer(scenario, profile, options)
  while (!e.advance(1 << 20)) {
    /* advance() does the work */
  }
  return e.result()
}
