/** `daxlab run`: the store is opened (and checked) before the run, so a bad --db fails at once. */
import { checkProfile, runScenario } from '../../sim/run'
import type { TraceStore } from '../../store/trace-store'
import type { RunOptions } from '../commands/run'
import { loadScenario, profileFor, withStore } from '../inputs'
import { checkPatchEdits } from '../patch-edits'
import { stderrProgress } from '../progress'
import { renderRun } from '../render'
import { printOut } from '../terminal-text'

export function run(arg: string, opts: RunOptions): void {
  const loaded = loadScenario(arg, opts.db)
  const profile = profileFor(loaded, opts.profile, opts.db)
  const options = { kernel: opts.kernel, arch: opts.arch, variant: opts.variant, patches: opts.patches }
  checkPatchEdits(opts.kernel ?? loaded.scenario.kernel ?? '6.17', opts.patches)
  // The machine first (cheap), then the store, then the run: nothing is created for a run that cannot start.
  checkProfile(profile, { ...options, kernel: opts.kernel ?? loaded.scenario.kernel })
  const execute = (store?: TraceStore) => {
    const { result, trace } = runScenario(loaded.scenario, profile, { ...options, onProgress: stderrProgress(`daxlab run ${loaded.scenario.name}`) })
    const runId = store?.saveRun({ result, trace, scenarioText: loaded.text, profile, session: opts.session })
    if (opts.json) process.stdout.write(JSON.stringify(runId === undefined ? result : { run_id: runId, ...result }, null, 2) + '\n')
    else printOut(renderRun(result, runId, opts) + '\n')
  }
  if (opts.store) withStore(opts.db, execute)
  else execute()
}
