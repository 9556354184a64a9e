/** `daxlab run`: the store is opened (and checked) before the run, so a bad --db fails at once. */
import { checkProfile, runScenario, type RunOutput } from '../../sim/run'
import { simulateAndSave } from '../../store/run-writer/simulate-and-save'
import type { RunOptions } from '../commands/run'
import { loadScenario, profileFor, withStoreAsync } from '../inputs'
import { checkPatchEdits } from '../patch-edits'
import { stderrProgress } from '../progress'
import { renderRun } from '../render'
import { readSchedule, withScheduleErrors, withScheduleErrorsAsync, writeSchedule } from '../schedule-file'
import { printOut } from '../terminal-text'
import { UsageError } from '../usage-error'

export async function run(arg: string, opts: RunOptions): Promise<void> {
  const loaded = loadScenario(arg, opts.db)
  const profile = profileFor(loaded, opts.profile, opts.db)
  if (opts.emitSchedule !== undefined && !loaded.scenario.concurrent) throw new UsageError(`--emit-schedule: scenario '${loaded.scenario.name}' has no concurrent: block, so there is no schedule to write`)
  // A replayed schedule brings the kernel, arch and patches it was found on, unless given here.
  const schedule = opts.schedule === undefined ? undefined : readSchedule(opts.schedule, loaded.scenario)
  if (schedule) opts = { ...opts, kernel: opts.kernel ?? schedule.kernel, arch: opts.arch ?? schedule.arch, patches: opts.patches ?? schedule.patches }
  const options = { kernel: opts.kernel, arch: opts.arch, variant: opts.variant, patches: opts.patches }
  checkPatchEdits(opts.kernel ?? loaded.scenario.kernel ?? '6.17', opts.patches)
  // The machine first (cheap), then the store, then the run: nothing is created for a run that cannot start.
  checkProfile(profile, { ...options, kernel: opts.kernel ?? loaded.scenario.kernel })
  const runOptions = { ...options, schedule: schedule?.choices, onProgress: stderrProgress(`daxlab run ${loaded.scenario.name}`) }
  const print = (output: RunOutput, runId: number | undefined) => {
    const { result } = output
    if (opts.emitSchedule !== undefined) writeSchedule(opts.emitSchedule, loaded.scenario, result, output.schedule, opts.patches)
    if (opts.json) process.stdout.write(JSON.stringify(runId === undefined ? result : { run_id: runId, ...result }, null, 2) + '\n')
    else printOut(renderRun(result, runId, opts) + '\n')
  }
  if (!opts.store) return print(withScheduleErrors(opts.schedule, () => runScenario(loaded.scenario, profile, runOptions)), undefined)
  // A big run is stored while it runs, on a writer thread (main/store/run-writer/).
  const { output, runId } = await withScheduleErrorsAsync(opts.schedule, () =>
    withStoreAsync(opts.db, (store) => simulateAndSave({ scenario: loaded.scenario, scenarioText: loaded.text, profile, options: runOptions, session: opts.session, store })),
  )
  print(output, runId)
}
