/**
 * Expanding one node of the explorer's search: replay its schedule, then either record its outcome
 * (no task can run) or take each enabled task's next atomic step and report the child state's key.
 * The result is plain data, so a worker thread can expand nodes and the search (search.ts) merges
 * the expansions on one thread in a fixed order: the same merge, one thread or many.
 */
import type { Profile } from '../formats/profile'
import type { Scenario } from '../formats/scenario'
import { hex } from '../sim/folios'
import type { ViolationKind } from '../sim/result'
import { simulationFactory, type RunOptions } from '../sim/run'
import { Scheduler } from '../sim/scheduler'
import type { Simulation } from '../sim/sim'
import { ConcurrentPart } from './concurrent-run'
import type { AtomicRecord } from './machine'

/** What a node's expansion depends on: everything but the bookkeeping of the search. */
export type ExpandOptions = Pick<RunOptions, 'kernel' | 'arch' | 'variant' | 'patches'> & {
  readonly preemptionBound?: number
}

/** A state of the search, named by the schedule reaching it (the task index of each atomic step). */
export interface FrontierNode {
  readonly choices: number[]
  /** Schedules reaching this state (merged states add up). */
  count: number
  /** Task of the last step (-1 at the root), and preemptions so far (for --preemption-bound). */
  readonly last: number
  readonly preemptions: number
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

export interface FolioOutcome {
  readonly pfn: string
  readonly refcount: number
  readonly mapcount: number
  readonly pincount: number
}

/** A final state, without the search's count and example schedule. */
export interface OutcomeState {
  readonly violations: ViolationKind[]
  readonly blocked: string[]
  readonly folios: FolioOutcome[]
  readonly pgmaps: { readonly name: string; readonly refs: number }[]
  /** Pages marked HWPoison at the end (hex pfns). */
  readonly poisoned: string[]
}

export interface ChildState {
  /** The child's machine state (Machine.key, plus the preemption count under a bound). */
  readonly key: string
  readonly task: number
  readonly preemptions: number
}

export type Expansion =
  | { readonly terminal: { readonly outcome: OutcomeState; readonly key: string }; readonly found: Counterexample[] }
  | {
      readonly children: ChildState[]
      readonly found: Counterexample[]
      /** Replays beyond the node's own (each further child replays the node once more). */
      readonly executed: number
      /** True when the preemption bound left out a child. */
      readonly boundCut: boolean
    }

/**
 * Live machines kept for the next level: the last child of an expansion is stepped on the node's own
 * replay, so that machine is already in the child's state; expanding the child later starts from it
 * instead of replaying. Bounded: past the limit a child is not kept, and a child not kept (or
 * merged into another state) only costs the replay it would have cost anyway.
 */
const LIVE_LIMIT = 256

type Replayed = { sim: Simulation; part: ConcurrentPart }

export class Expander {
  private readonly newSimulation: () => Simulation
  private readonly live = new Map<string, Replayed>()
  /** Replays actually run (the figure the live machines reduce; not part of the result). */
  replays = 0

  constructor(
    private readonly scenario: Scenario,
    profile: Profile,
    private readonly options: ExpandOptions = {},
  ) {
    this.newSimulation = simulationFactory(scenario, profile, options)
  }

  /** A fresh replay of `choices`: a new Simulation, the setup steps, then one atomic step per choice. */
  replay(choices: readonly number[]): Replayed {
    this.replays += 1
    const sim = this.newSimulation()
    new Scheduler(sim, this.scenario.steps, {}).run()
    const part = new ConcurrentPart(sim, this.scenario)
    for (const t of choices) part.machine.step(t)
    return { sim, part }
  }

  /**
   * Expands `node`. A violation kind not in `known` that a step raises is reported as a
   * counterexample (and added to `known`, so one expansion sequence reports each kind once: the
   * merge keeps the first in its order, and a later one could never be it).
   */
  expand(node: Pick<FrontierNode, 'choices' | 'last' | 'preemptions'>, known: Set<ViolationKind>): Expansion {
    const liveKey = node.choices.join(',')
    const kept = this.live.get(liveKey)
    if (kept) this.live.delete(liveKey)
    const parent = kept ?? this.replay(node.choices)
    const m = parent.part.machine
    const enabled = m.enabled()
    const found: Counterexample[] = []
    const report = (sim: Simulation, before: ReadonlySet<ViolationKind>, choices: number[], part: ConcurrentPart) => {
      for (const v of sim.trace.violations) {
        if (before.has(v.kind) || known.has(v.kind)) continue
        known.add(v.kind)
        const names = part.machine.taskNames
        found.push({ kind: v.kind, length: choices.length, message: v.message, schedule: swimlanes(part.machine.records), choices: choices.map((t) => names[t]!) })
      }
    }
    if (enabled.length === 0) {
      const before = new Set(parent.sim.trace.violations.map((v) => v.kind))
      m.finish()
      report(parent.sim, before, node.choices, parent.part)
      const outcome = outcomeOf(parent.sim, parent.part)
      return { terminal: { outcome, key: outcomeKey(outcome) }, found }
    }
    const before = new Set(parent.sim.trace.violations.map((v) => v.kind))
    const bound = this.options.preemptionBound
    const preempts = (t: number) => node.last >= 0 && t !== node.last && enabled.includes(node.last)
    const tasks = enabled.filter((t) => bound === undefined || !preempts(t) || node.preemptions + 1 <= bound)
    const children: ChildState[] = []
    tasks.forEach((t, i) => {
      // The last child reuses the node's replay instead of replaying once more.
      const child = i === tasks.length - 1 ? parent : this.replay(node.choices)
      child.part.machine.step(t)
      const choices = [...node.choices, t]
      const preemptions = node.preemptions + (preempts(t) ? 1 : 0)
      report(child.sim, before, choices, child.part)
      children.push({ key: child.part.machine.key() + (bound !== undefined ? ` P${t}:${preemptions}` : ''), task: t, preemptions })
      if (child === parent) this.keep(choices.join(','), child)
    })
    return { children, found, executed: Math.max(0, tasks.length - 1), boundCut: tasks.length < enabled.length }
  }

  private keep(key: string, machine: Replayed): void {
    // When full, the new one is not kept: the ones kept first are expanded first (level order).
    if (this.live.size < LIVE_LIMIT) this.live.set(key, machine)
  }
}

export function outcomeOf(sim: Simulation, part: ConcurrentPart): OutcomeState {
  const f = sim.folios
  return {
    violations: [...new Set(sim.trace.violations.map((v) => v.kind))].sort(),
    blocked: part.machine.blockedTasks().map((b) => b.task).sort(),
    folios: f.touched().map((x) => ({ pfn: hex(f.head[x]!), refcount: f.refcount[x]!, mapcount: f.mapcount[x]!, pincount: f.pincount[x]! })),
    pgmaps: sim.regions.filter((r) => r.pgmap).map((r) => ({ name: r.pgmap!.name, refs: r.pgmap!.refs })),
    poisoned: [...sim.poisoned].sort((a, b) => a - b).map(hex),
  }
}

/** The outcome key the explorer groups by (for comparing with enumerateNaive). */
export function outcomeKey(o: OutcomeState): string {
  return JSON.stringify([o.violations, o.blocked, o.folios, o.pgmaps, o.poisoned])
}

/** Marks the steps that touch a page another task's step also touches (the racing steps). */
export function swimlanes(records: readonly AtomicRecord[]): SwimStep[] {
  const tasksByPage = new Map<string, Set<string>>()
  for (const r of records) for (const p of r.pages) (tasksByPage.get(p) ?? tasksByPage.set(p, new Set()).get(p)!).add(r.task)
  return records.map((r) => ({ ...r, racing: r.pages.some((p) => tasksByPage.get(p)!.size > 1) }))
}
