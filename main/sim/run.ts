/**
 * Runs a scenario on a profile under one kernel release and arch: validates the machine against the
 * arch and kernel, then steps through the scenario with the scheduler. Pure and deterministic: the
 * same inputs give the same result and the same trace.
 */
import type { Profile } from '../formats/profile'
import type { Scenario } from '../formats/scenario'
import { addressFitProblem } from './address-fit'
import { ArchView } from './arch-view'
import { formatSize } from '../formats/units'
import { kernelModel } from './kernel-model'
import { alignBytes } from './memory'
import { Scheduler } from './scheduler'
import { allSteps, ConcurrentPart } from '../explore/concurrent-run'
import { Simulation } from './sim'
import { ModelError } from './errors'
import { EventLogLimitError, MAX_TASKS, type EventLog } from './events'
import { FOLIO_SOURCE, STEP_SOURCE, type FolioResult, type RunResult, type StepResult } from './result'
import type { Trace } from './trace'

export interface RunOptions {
  /** Kernel release or alias; default: the scenario's `kernel`, else 6.17. */
  readonly kernel?: string
  readonly arch?: string
  readonly variant?: string
  /**
   * Patch switches edited over the release's preset, `+name,-name` (main/sim/patches.ts); an
   * incoherent set is refused naming the dependency. The arch encoders stay keyed by the release.
   */
  readonly patches?: string
  /** Called every few hundred steps with (done, total). */
  readonly onProgress?: (done: number, total: number) => void
  /** Polled between steps; returning true stops the run with a CancelledError. */
  readonly shouldStop?: () => boolean
  /**
   * A scenario with `concurrent:`: the task of each atomic step to run first (a replayed schedule
   * file, docs/explore.md); the rest follows the default round-robin schedule.
   */
  readonly schedule?: readonly string[]
}

export { CancelledError, ModelError } from './errors'
export { BudgetError, RUN_EVENT_BUDGET, STEP_BUDGET } from './budget'
export { EventLogLimitError, MAX_CAUSES, MAX_TASKS } from './events'

export interface RunOutput {
  readonly result: RunResult
  readonly trace: Trace
  /** A scenario with `concurrent:`: the task of every atomic step in the order they ran. */
  readonly schedule?: readonly string[]
}

/** A run in progress: advance it in slices (hosts yield between them), then take the output. */
export interface RunHandle {
  readonly total: number
  readonly done: number
  /** Runs up to `budget` more steps; true when the scenario is finished. */
  advance(budget: number): boolean
  /** The event log as it fills (a streamed save copies finished slices of it between advances). */
  readonly events: EventLog
  /** The result and trace; only once advance() has returned true. */
  output(): RunOutput
}

/** The machine a scenario runs on, checked (startRun). */
export function buildSimulation(scenario: Scenario, profile: Profile, options: Pick<RunOptions, 'kernel' | 'arch' | 'variant' | 'patches'> = {}): Simulation {
  return simulationFactory(scenario, profile, options)()
}

/**
 * Checks the machine once and returns a maker of fresh Simulations sharing the kernel model and arch
 * view (both read-only): the interleaving explorer builds one per schedule it replays.
 */
export function simulationFactory(scenario: Scenario, profile: Profile, options: Pick<RunOptions, 'kernel' | 'arch' | 'variant' | 'patches'> = {}): () => Simulation {
  const kernel = kernelModel(options.kernel ?? scenario.kernel ?? '6.17', options.patches)
  const archId = options.arch ?? profile.arch
  const arch = new ArchView(archId, kernel.version, options.variant ?? (archId === profile.arch ? profile.variant : undefined))
  checkMachine(profile, arch)
  checkTaskCount(scenario)
  return () => new Simulation(kernel, profile, arch)
}

export function startRun(scenario: Scenario, profile: Profile, options: RunOptions = {}): RunHandle {
  const sim = buildSimulation(scenario, profile, options)
  const { kernel, arch } = sim
  const scheduler = new Scheduler(sim, scenario.steps, options)
  // After the setup steps, the concurrent tasks' atomic steps (main/explore/concurrent-run.ts).
  const concurrent = scenario.concurrent ? new ConcurrentPart(sim, scenario) : undefined
  let finished = false
  return {
    get total() {
      return scheduler.total
    },
    get done() {
      return scheduler.done
    },
    advance(budget: number) {
      finished = scheduler.advance(budget)
      if (finished && concurrent && !concurrent.ran) concurrent.run(options.schedule)
      return finished
    },
    events: sim.trace.events,
    output(): RunOutput {
      if (!finished) throw new Error('the run has not finished')
      const result: RunResult = {
        format: 'daxlab-run/1',
        kernel: kernel.label,
        scheme: kernel.scheme,
        quirks: kernel.quirks,
        arch: arch.plugin.id,
        variant: arch.variant,
        scenario: scenario.name,
        profile: profile.name ?? 'inline',
        // Made when first read (JSON, a spread, a renderer): a run's finished steps are kept as columns
        // (main/sim/settled-steps.ts), and the store packs them from STEP_SOURCE a chunk at a time.
        // The first read turns this into a plain data property in the same place (same key order).
        get steps(): StepResult[] {
          const steps = concurrent ? [...scheduler.results, ...concurrent.results] : scheduler.results
          Object.defineProperty(this, 'steps', { value: steps, writable: true, enumerable: true, configurable: true })
          return steps
        },
        // Made when first read, like `steps`: the run has finished, so nothing changes the counts
        // after output(). Most of a device DAX run's folios are touched, tens of thousands of them.
        get folios(): FolioResult[] {
          const folios = sim.folios.results()
          Object.defineProperty(this, 'folios', { value: folios, writable: true, enumerable: true, configurable: true })
          return folios
        },
        pgmaps: sim.regions.filter((r) => r.pgmap).map((r) => ({ name: r.pgmap!.name, type: r.pgmap!.type, refs: r.pgmap!.refs })),
        violations: sim.trace.violations,
        blocked: concurrent ? [...scheduler.blockedTasks(), ...concurrent.machine.blockedTasks()] : scheduler.blockedTasks(),
        events: sim.trace.events.count,
        patches: { on: [...kernel.patches].sort(), ...(options.patches?.trim() ? { edits: options.patches.trim() } : {}) },
      }
      // Not enumerable: JSON, spreads and structured clones never see it. A run with a concurrent part
      // (small by nature) is read through its steps.
      if (!concurrent) Object.defineProperty(result, STEP_SOURCE, { value: scheduler.stepSource() })
      Object.defineProperty(result, FOLIO_SOURCE, { value: { count: sim.folios.count(), columns: () => sim.folios.resultColumns() } })
      return concurrent ? { result, trace: sim.trace, schedule: concurrent.choices } : { result, trace: sim.trace }
    },
  }
}

/** Runs a whole scenario synchronously (CLI, tests, benchmarks). */
export function runScenario(scenario: Scenario, profile: Profile, options: RunOptions = {}): RunOutput {
  const handle = startRun(scenario, profile, options)
  handle.advance(Number.MAX_SAFE_INTEGER)
  return handle.output()
}

/**
 * Checks a profile against an arch, variant and kernel without running anything (what `profiles
 * validate --kernel` reports): throws ModelError with the reason.
 */
export function checkProfile(profile: Profile, options: Pick<RunOptions, 'kernel' | 'arch' | 'variant'> = {}): void {
  const kernel = kernelModel(options.kernel ?? '6.17')
  const archId = options.arch ?? profile.arch
  checkMachine(profile, new ArchView(archId, kernel.version, options.variant ?? (archId === profile.arch ? profile.variant : undefined)))
}

/**
 * The trace stores task ids in 16 bits (Uint16 columns, docs/store.md): a scenario naming more tasks
 * than that is refused before it runs, never wrapped. Every task is named by a step or created by fork.
 */
function checkTaskCount(scenario: Scenario): void {
  const names = new Set<string>()
  let last: string | undefined
  const steps = allSteps(scenario)
  // An index loop, not for-of: this check runs once per run over every step, too few times for the
  // optimiser to drop the array iterator's result object, which was 2.4 MB of garbage per bench run.
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!
    // Runs of one task's steps add one name (a Set.add per step is most of this check's cost).
    if (step.task !== last) names.add(step.task)
    last = step.task
    if (step.op === 'fork') names.add(step.args.child)
  }
  if (names.size > MAX_TASKS) {
    throw new EventLogLimitError(`the scenario names ${names.size} tasks; a run may have at most ${MAX_TASKS} (the trace stores task ids in 16 bits)`)
  }
}

/** Refuses machines the kernel could not build: no ZONE_DEVICE, sizes the arch cannot map. */
function checkMachine(profile: Profile, arch: ArchView): void {
  const deviceRegions = profile.regions.filter((r) => r.type !== 'system-ram')
  const reason = deviceRegions.length > 0 ? arch.zoneDeviceUnavailable() : undefined
  if (reason) throw new ModelError(`region '${deviceRegions[0]!.name}' (${deviceRegions[0]!.type}): ${reason}`)
  for (const r of profile.regions) {
    if (r.size % arch.pageSize !== 0) {
      throw new ModelError(`region '${r.name}': size ${formatSize(r.size)} is not a multiple of the ${arch.plugin.id} ${arch.variant} page size ${formatSize(arch.pageSize)}`)
    }
    if (r.type !== 'devdax') continue
    const align = alignBytes(r.align)
    // drivers/dax/bus.c dax_align_valid(): PUD_SIZE with PUD THP, PMD_SIZE with THP, or PAGE_SIZE.
    const valid = [arch.pageSize, ...(arch.pmdLeaves ? [arch.pmdSize] : []), ...(arch.pudSize !== undefined ? [arch.pudSize] : [])]
    if (!valid.includes(align)) {
      throw new ModelError(
        `region '${r.name}': devdax align ${r.align} is not valid on ${arch.plugin.id} ${arch.variant} (dax_align_valid accepts ${valid.map(formatSize).join(', ')})`,
      )
    }
    if (r.size % align !== 0) throw new ModelError(`region '${r.name}': size ${formatSize(r.size)} is not a multiple of its align ${r.align}`)
  }
  const addresses = addressFitProblem(profile, arch)
  if (addresses) throw new ModelError(addresses)
}
