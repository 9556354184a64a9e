/**
 * `daxlab explore`: runs the explorer in slices, yielding to the event loop between them so progress
 * reaches stderr and Ctrl-C (SIGINT) stops the search with what was found (reported as not complete).
 * `--jobs N` (N > 1) expands each level's nodes on N worker threads (main/explore-host/); the merge
 * stays on this thread, so the result is the same as with one thread.
 */
import { Explorer, type ExploreResult } from '../../explore/search'
import { exploreOnThreads } from '../../explore-host/levels'
import { poolRunner } from '../../explore-host/pool'
import { scheduleFile } from '../../formats/schedule'
import type { ExploreCliOptions } from '../commands/explore'
import { loadScenario, profileFor } from '../inputs'
import { checkPatchEdits } from '../patch-edits'
import { renderExplore } from '../render-explore'
import { writeScheduleFile } from '../schedule-file'
import { escapeCell, printErr, printOut } from '../terminal-text'
import { UsageError } from '../usage-error'

/** Schedule executions per slice: small enough to answer Ctrl-C within a fraction of a second. */
const SLICE = 16
const INTERRUPTED = 'interrupted (Ctrl-C): the states still queued were not explored'

export async function exploreAction(arg: string, opts: ExploreCliOptions): Promise<void> {
  const loaded = loadScenario(arg)
  const profile = profileFor(loaded, opts.profile)
  if (opts.violation !== undefined && opts.emitSchedule === undefined) throw new UsageError('--violation needs --emit-schedule')
  checkPatchEdits(opts.kernel ?? loaded.scenario.kernel ?? '6.17', opts.patches)
  const tty = process.stderr.isTTY === true
  let lastReport = 0
  const options = { kernel: opts.kernel, arch: opts.arch, variant: opts.variant, patches: opts.patches, preemptionBound: opts.preemptionBound }
  const explorer = new Explorer(loaded.scenario, profile, {
    ...options,
    maxSchedules: opts.maxSchedules,
    onProgress: (p) => {
      const now = Date.now()
      if (now - lastReport < 1000) return
      lastReport = now
      const line = `daxlab explore ${escapeCell(loaded.scenario.name)}: depth ${p.depth}, ${p.states} states, ${p.schedules_executed} schedules executed`
      process.stderr.write(tty ? `\r${line}` : `${line}\n`)
    },
  })
  const jobs = opts.jobs ?? 1
  const interrupt = new AbortController()
  const onSigint = () => interrupt.abort()
  process.on('SIGINT', onSigint)
  try {
    if (jobs > 1) {
      const runner = poolRunner(jobs)
      try {
        await exploreOnThreads(explorer, runner, { search: `${process.pid}`, scenario: loaded.scenario, profile, options }, { signal: interrupt.signal, interrupted: INTERRUPTED })
      } finally {
        await runner.destroy()
      }
    } else {
      while (!explorer.advance(SLICE)) {
        if (interrupt.signal.aborted) {
          explorer.interrupt(INTERRUPTED)
          break
        }
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
  } finally {
    process.off('SIGINT', onSigint)
    if (tty && lastReport > 0) process.stderr.write('\n')
  }
  const result = explorer.result()
  if (opts.emitSchedule !== undefined) emitSchedule(result, opts, opts.emitSchedule)
  if (opts.json) process.stdout.write(JSON.stringify({ ...result, jobs }, null, 2) + '\n')
  else printOut(renderExplore(result) + '\n')
}

function emitSchedule(result: ExploreResult, opts: ExploreCliOptions, file: string): void {
  const pick = opts.violation === undefined ? result.counterexamples[0] : result.counterexamples.find((c) => c.kind === opts.violation)
  if (!pick) {
    const which = opts.violation === undefined ? 'any violation' : `violation '${opts.violation}'`
    printErr(`daxlab explore: --emit-schedule: no schedule reaching ${which} was found${result.complete ? '' : ' (the search was not complete)'}; nothing written\n`)
    process.exitCode = 1
    return
  }
  writeScheduleFile(file, scheduleFile(result.scenario, result.kernel, result.arch, opts.patches, result.tasks, pick.choices))
  printErr(`daxlab explore: wrote the ${pick.length}-step schedule reaching ${pick.kind} to ${file} (replay: daxlab run ${result.scenario} --schedule ${file})\n`)
}
