/**
 * `daxlab compare SCENARIO --kernel 6.14,6.17` runs a scenario under several kernels (or arches) and
 * lines the steps up; `daxlab compare ID ID` compares two stored runs.
 */
import type { Command } from 'commander'
import { compareRuns } from '../../sim/compare'
import type { RunResult } from '../../sim/result'
import { runScenario } from '../../sim/run'
import { loadScenario, profileFor, withStore } from '../inputs'
import { renderComparison } from '../render'

interface CompareOptions {
  kernel?: string
  arch?: string
  variant?: string
  profile?: string
  db?: string
  json?: boolean
  force?: boolean
}

export class UsageError extends Error {}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare a scenario across kernels/arches, or two stored runs, step by step')
    .argument('<targets...>', 'a scenario (name or file), or two stored run ids')
    .option('--kernel <list>', 'comma-separated kernel releases, e.g. 6.14,6.17 (default: legacy,refcounted)')
    .option('--arch <list>', 'comma-separated arches (default: the profile\'s)')
    .option('--variant <variant>', 'page-table variant')
    .option('--profile <profile>', 'built-in profile name or file')
    .option('--db <path>', 'trace database, for stored run ids')
    .option('--json', 'print the comparison as JSON')
    .option('--force', 'line up stored runs of different scenarios step by step anyway')
    .action((targets: string[], opts: CompareOptions) => {
      const cmp = targets.every((t) => /^\d+$/.test(t)) ? compareStored(targets, opts) : compareScenario(targets, opts)
      if (opts.json) process.stdout.write(JSON.stringify(cmp, null, 2) + '\n')
      else process.stdout.write(renderComparison(cmp) + '\n')
    })
}

function compareStored(ids: string[], opts: CompareOptions) {
  if (ids.length < 2) throw new UsageError('compare needs two stored run ids (or a scenario and --kernel)')
  const runs = withStore(opts.db, (store) =>
    ids.map((id) => {
      const run = store.getRun(Number(id))
      if (!run) throw new UsageError(`no stored run ${id} in ${store.path}`)
      return run
    }),
  )
  // Step i of one scenario has nothing to do with step i of another: refuse unless asked.
  const scenarios = [...new Set(runs.map((r) => r.result.scenario))]
  if (scenarios.length > 1 && !opts.force) {
    throw new UsageError(`runs ${ids.join(', ')} are of different scenarios (${runs.map((r) => `run ${r.summary.id}: ${r.result.scenario}`).join(', ')}); their steps do not line up. Pass --force to compare them anyway`)
  }
  return compareRuns(
    runs.map((r) => r.result),
    runs.map((r) => r.summary.id),
  )
}

function compareScenario(targets: string[], opts: CompareOptions) {
  if (targets.length !== 1) throw new UsageError('compare takes one scenario, or two or more stored run ids')
  const loaded = loadScenario(targets[0]!)
  const profile = profileFor(loaded, opts.profile)
  const kernels = (opts.kernel ?? 'legacy,refcounted').split(',').map((k) => k.trim()).filter(Boolean)
  const arches = (opts.arch ?? '').split(',').map((a) => a.trim()).filter(Boolean)
  const combos: { kernel: string; arch?: string }[] = []
  for (const kernel of kernels) {
    if (arches.length === 0) combos.push({ kernel })
    for (const arch of arches) combos.push({ kernel, arch })
  }
  if (combos.length < 2) throw new UsageError('compare needs at least two kernels or arches (e.g. --kernel 6.14,6.17)')
  const results: RunResult[] = combos.map((c) => runScenario(loaded.scenario, profile, { kernel: c.kernel, arch: c.arch, variant: opts.variant }).result)
  return compareRuns(results)
}
