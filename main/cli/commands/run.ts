/** `daxlab run SCENARIO`: run a scenario under one kernel and arch; store it unless --no-store. */
import type { Command } from 'commander'
import { runScenario } from '../../sim/run'
import { loadScenario, profileFor, withStore } from '../inputs'
import { stderrProgress } from '../progress'
import { renderRun } from '../render'

interface RunOptions {
  kernel?: string
  arch?: string
  variant?: string
  profile?: string
  session?: string
  db?: string
  store: boolean
  json?: boolean
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a scenario (built-in name or YAML/JSON file) under a kernel release and arch')
    .argument('<scenario>', 'built-in scenario name or path to a scenario file')
    .option('--kernel <version>', 'kernel release (6.1 and later) or alias legacy|refcounted; default: the scenario\'s, else 6.17')
    .option('--arch <arch>', 'x86, arm64, powerpc, riscv or loongarch; default: the profile\'s')
    .option('--variant <variant>', 'page-table variant of the arch (e.g. 5-level, 16K, hash-64k, sv48)')
    .option('--profile <profile>', 'built-in profile name or file; overrides the scenario\'s profile')
    .option('--session <name>', 'group the stored run under a session')
    .option('--db <path>', 'trace database (default: the user data directory, or $DAXLAB_DB)')
    .option('--no-store', 'do not write the run to the database')
    .option('--json', 'print the run result as JSON')
    .action((arg: string, opts: RunOptions) => {
      const loaded = loadScenario(arg)
      const profile = profileFor(loaded, opts.profile)
      const { result, trace } = runScenario(loaded.scenario, profile, {
        kernel: opts.kernel,
        arch: opts.arch,
        variant: opts.variant,
        onProgress: stderrProgress(`daxlab run ${loaded.scenario.name}`),
      })
      let runId: number | undefined
      if (opts.store) runId = withStore(opts.db, (store) => store.saveRun({ result, trace, scenarioText: loaded.text, profile, session: opts.session }))
      if (opts.json) process.stdout.write(JSON.stringify(runId === undefined ? result : { run_id: runId, ...result }, null, 2) + '\n')
      else process.stdout.write(renderRun(result, runId) + '\n')
    })
}
