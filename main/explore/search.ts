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
 * A node's expansion (expand.ts) is plain data and the merge below takes expansions one at a time in
 * the level's order, so a host may expand the nodes of a level anywhere (worker threads:
 * main/explore-host/) and feed them back through applyNext(): the result is the same as advance()'s.
 *
 * Not done (docs/explore.md#limits): DPOR with sleep sets (state merging does the pruning).
 */
import type { Profile } from '../formats/profile'
import type { Scenario } from '../formats/scenario'
import { ModelError } from '../sim/errors'
import type { ViolationKind } from '../sim/result'
import { Expander, outcomeKey, outcomeOf, type Counterexample, type ExpandOptions, type Expansion, type FrontierNode, type OutcomeState } from './expand'

export { outcomeKey, swimlanes, type Counterexample, type Expansion, type FolioOutcome, type FrontierNode, type SwimStep } from './expand'

export type ExploreOptions = ExpandOptions & {
  /** Stop after this many schedule executions (replays); the result then says it is not complete. */
  readonly maxSchedules?: number
  /** Called with progress after each slice. */
  readonly onProgress?: (p: ExploreProgress) => void
}

export interface ExploreProgress {
  readonly depth: number
  readonly states: number
  readonly schedules_executed: number
}

export interface Outcome extends OutcomeState {
  /** Complete schedules that end in this outcome. */
  count: number
  /** One schedule reaching it (task per atomic step), shortest first found. */
  readonly example: string[]
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

export class Explorer {
  /** The level being expanded, in order, and the next one to take. */
  private layer: FrontierNode[] = []
  private at = 0
  private next = new Map<string, FrontierNode>()
  private readonly outcomes = new Map<string, Outcome>()
  private readonly counterexamples = new Map<ViolationKind, Counterexample>()
  private readonly res: ExploreResult
  private depth = 0
  private readonly started: number
  private finished = false
  private readonly expander: Expander

  constructor(
    private readonly scenario: Scenario,
    profile: Profile,
    private readonly options: ExploreOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    if (!scenario.concurrent) throw new ModelError(`scenario '${scenario.name}' has no concurrent: block; there is nothing to interleave (docs/explore.md)`)
    this.started = now()
    this.expander = new Expander(scenario, profile, options)
    const root = this.expander.replay([])
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
      const node = this.nextNode()
      if (node === undefined) return true
      this.apply(node, this.expander.expand(node, this.knownKinds()))
    }
    this.progress()
    return false
  }

  /** Whether the search is over (finished, cut by a bound, or interrupted). */
  get done(): boolean {
    return this.finished
  }

  /**
   * The nodes of the current level not merged yet, in merge order: what a host may expand elsewhere
   * and feed back through applyNext(). Moves to the next level (or ends the search) when the
   * current one is used up; empty once the search is over.
   */
  pending(): readonly FrontierNode[] {
    if (this.finished) return []
    if (this.at >= this.layer.length && !this.nextLevel()) return []
    return this.layer.slice(this.at)
  }

  /** The violation kinds found so far (an expansion need not report them again). */
  knownKinds(): Set<ViolationKind> {
    return new Set(this.counterexamples.keys())
  }

  /**
   * Merges the expansion of the next pending node (pending()[0]), exactly as advance() would have.
   * False when the search stopped before it (a bound): the expansion is then dropped.
   */
  applyNext(expansion: Expansion): boolean {
    const node = this.nextNode()
    if (node === undefined) return false
    this.apply(node, expansion)
    return true
  }

  /** Reports progress (hosts call it after a batch of applyNext()). */
  progress(): void {
    this.options.onProgress?.({ depth: this.depth, states: this.res.states, schedules_executed: this.res.schedules_executed })
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

  /** The next node to merge (the bound checked first), or undefined once the search is over. */
  private nextNode(): FrontierNode | undefined {
    if (this.finished) return undefined
    if (this.options.maxSchedules !== undefined && this.res.schedules_executed >= this.options.maxSchedules) {
      this.cutBy(`--max-schedules ${this.options.maxSchedules}: ${this.layer.length - this.at + this.next.size} state(s) at depth ${this.depth} and beyond were not explored`)
      return undefined
    }
    if (this.at >= this.layer.length && !this.nextLevel()) return undefined
    return this.layer[this.at++]
  }

  /** Moves to the next level; false (and the search finished) when there is none. */
  private nextLevel(): boolean {
    if (this.next.size === 0) {
      this.finish()
      return false
    }
    this.layer = [...this.next.values()]
    this.at = 0
    this.next = new Map()
    this.depth += 1
    this.progress()
    return true
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
  replayForNaive(choices: readonly number[]) {
    return this.expander.replay(choices)
  }

  private apply(node: FrontierNode, e: Expansion): void {
    for (const c of e.found) if (!this.counterexamples.has(c.kind)) this.counterexamples.set(c.kind, c)
    if ('terminal' in e) {
      const names = this.res.tasks
      const seen = this.outcomes.get(e.terminal.key)
      if (seen) seen.count += node.count
      else this.outcomes.set(e.terminal.key, { ...e.terminal.outcome, count: node.count, example: node.choices.map((t) => names[t]!) })
      this.res.schedules_total += node.count
      return
    }
    this.res.schedules_executed += e.executed
    if (e.boundCut && (this.res.cut === undefined || !this.res.cut.includes('--preemption-bound'))) {
      this.res.cut = `${this.res.cut ? this.res.cut + '; ' : ''}--preemption-bound ${this.options.preemptionBound}: schedules with more preemptions were not explored`
    }
    for (const c of e.children) {
      const seen = this.next.get(c.key)
      if (seen) {
        seen.count += node.count
        this.res.pruned += 1
        continue
      }
      const choices = [...node.choices, c.task]
      this.res.states += 1
      this.res.max_depth = Math.max(this.res.max_depth, choices.length)
      this.next.set(c.key, { choices, count: node.count, last: c.task, preemptions: c.preemptions })
    }
  }
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

/** Runs a whole exploration synchronously (tests, the bench). */
export function explore(scenario: Scenario, profile: Profile, options: ExploreOptions = {}): ExploreResult {
  const e = new Explorer(scenario, profile, options)
  while (!e.advance(1 << 20)) {
    /* advance() does the work */
  }
  return e.result()
}
