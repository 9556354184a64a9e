/** `daxlab compare`: stored runs by id, or one scenario under several kernels/arches. */
import { compareRuns } from '../../sim/compare'
import type { RunResult } from '../../sim/result'
import { checkProfile, runScenario } from '../../sim/run'
import { isRunId } from '../args'
import type { CompareOptions } from '../commands/compare'
import { loadScenario, profileFor, withStore } from '../inputs'
import { checkPatchEdits } from '../patch-edits'
import { renderComparison } from '../render'
import { printOut } from '../terminal-text'
import { UsageError } from '../usage-error'

export function compare(targets: string[], opts: CompareOptions): void {
  const numeric = targets.filter((t) => /^[\d.eExX+-]+$/.test(t))
  if (numeric.length === targets.length) {
    const bad = targets.find((t) => !isRunId(t))
    if (bad !== undefined) throw new UsageError(`'${bad}' is not a run id (a whole number such as 12; see daxlab runs list)`)
  }
  const cmp = targets.every(isRunId) ? compareStored(targets, opts) : compareScenario(targets, opts)
  if (opts.json) process.stdout.write(JSON.stringify(cmp, null, 2) + '\n')
  else printOut(renderComparison(cmp, opts) + '\n')
}

function compareStored(ids: string[], opts: CompareOptions) {
  if (ids.length < 2) throw new UsageError('compare needs two stored run ids (or a scenario and --kernel)')
  // Stored runs were computed already: patch switches cannot change them.
  if (opts.patches !== undefined) throw new UsageError('--patches applies when compare runs a scenario, not to stored runs')
  const runs = withStore(opts.db, (store) =>
    ids.map((id) => {
      const run = store.getRun(Number(id))
      if (!run) throw new UsageError(`no stored run ${id} in ${store.path}`)
      return run
    }),
  )
  // Step i of one scenario has nothing to do with step i of another: refuse unless asked.
  const scenarios = new Set(runs.map((r) => r.result.scenario))
  if (scenarios.size > 1 && !opts.force) {
    throw new UsageError(`runs ${ids.join(', ')} are of different scenarios (${runs.map((r) => `run ${r.summary.id}: ${r.result.scenario}`).join(', ')}); their steps do not line up. Pass --force to compare them anyway`)
  }
  return compareRuns(
    runs.map((r) => r.result),
    runs.map((r) => r.summary.id),
  )
}

function compareScenario(targets: string[], opts: CompareOptions) {
  if (targets.length !== 1) throw new UsageError('compare takes one scenario, or two or more stored run ids')
  const loaded = loadScenario(targets[0]!, opts.db)
  const profile = profileFor(loaded, opts.profile, opts.db)
  const kernels = opts.kernel ?? ['legacy', 'refcounted']
  const arches = (opts.arch ?? '').split(',').map((a) => a.trim()).filter(Boolean)
  const combos: { kernel: string; arch?: string }[] = []
  for (const kernel of kernels) {
    if (arches.length === 0) combos.push({ kernel })
    for (const arch of arches) combos.push({ kernel, arch })
  }
  if (combos.length < 2) throw new UsageError('compare needs at least two kernels or arches (e.g. --kernel 6.14,6.17)')
  // Every machine and patch set is checked before any run starts.
  for (const c of combos) {
    checkPatchEdits(c.kernel, opts.patches)
    checkProfile(profile, { kernel: c.kernel, arch: c.arch, variant: opts.variant })
  }
  const results: RunResult[] = combos.map((c) => runScenario(loaded.scenario, profile, { kernel: c.kernel, arch: c.arch, variant: opts.variant, patches: opts.patches }).result)
  return compareRuns(results)
}
