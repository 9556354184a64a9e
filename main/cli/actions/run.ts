/** `daxlab run`: the store is opened (and checked) before the run, so a bad --db fails at once. */
import { checkProfile, runScenario } from '../../sim/run'
import type { RunResult } from '../../sim/result'
import { simulateAndSave } from '../../store/run-writer/simulate-and-save'
import type { RunOptions } from '../commands/run'
import { loadScenario, profileFor, withStoreAsync } from '../inputs'
import { checkPatchEdits } from '../patch-edits'
import { stderrProgress } from '../progress'
import { renderRun } from '../render'
import { printOut } from '../terminal-text'

export async function run(arg: string, opts: RunOptions): Promise<void> {
  const loaded = loadScenario(arg, opts.db)
  const profile = profileFor(loaded, opts.profile, opts.db)
  const options = { kernel: opts.kernel, arch: opts.arch, variant: opts.variant, patches: opts.patches }
  checkPatchEdits(opts.kernel ?? loaded.scenario.kernel ?? '6.17', opts.patches)
  // The machine first (cheap), then the store, then the run: nothing is created for a run that cannot start.
  checkProfile(profile, { ...options, kernel: opts.kernel ?? loaded.scenario.kernel })
  const runOptions = { ...options, onProgress: stderrProgress(`daxlab run ${loaded.scenario.name}`) }
  const print = (result: RunResult, runId: number | undefined) => {
    if (opts.json) process.stdout.write(JSON.stringify(runId === undefined ? result : { run_id: runId, ...result }, null, 2) + '\n')
    else printOut(renderRun(result, runId, opts) + '\n')
  }
  if (!opts.store) return print(runScenario(loaded.scenario, profile, runOptions).result, undefined)
  // A big run is stored while it runs, on a writer thread (main/store/run-writer/).
  const { output, runId } = await withStoreAsync(opts.db, (store) => simulateAndSave({ scenario: loaded.scenario, scenarioText: loaded.text, profile, options: runOptions, session: opts.session, store }))
  print(output.result, runId)
}
