/** Reading and writing schedule files for `daxlab run --schedule / --emit-schedule` (docs/explore.md#schedule-file). */
import { writeFileSync } from 'node:fs'
import { ScheduleError } from '../explore/concurrent-run'
import { FormatError } from '../formats/errors'
import type { Scenario } from '../formats/scenario'
import { checkScheduleFits, parseScheduleText, scheduleFile, type ScheduleFile } from '../formats/schedule'
import type { RunResult } from '../sim/result'
import { readText } from './inputs'
import { UsageError } from './usage-error'

export function concurrentTasks(scenario: Scenario): string[] {
  return scenario.concurrent?.map((t) => t.task) ?? []
}

/** The schedule file, checked against the scenario (one FormatError naming the field otherwise). */
export function readSchedule(file: string, scenario: Scenario): ScheduleFile {
  const schedule = parseScheduleText(readText(file), file)
  checkScheduleFits(schedule, scenario.name, concurrentTasks(scenario), file)
  return schedule
}

/** Runs `fn`; a replayed choice that does not fit becomes a FormatError naming the file and the field. */
export function withScheduleErrors<T>(file: string | undefined, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (file !== undefined && err instanceof ScheduleError) throw new FormatError(file, [{ path: err.path, reason: err.reason }])
    throw err
  }
}

/** withScheduleErrors for a run that is awaited (a stored run saves while it runs). */
export async function withScheduleErrorsAsync<T>(file: string | undefined, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (file !== undefined && err instanceof ScheduleError) throw new FormatError(file, [{ path: err.path, reason: err.reason }])
    throw err
  }
}

export function writeSchedule(file: string, scenario: Scenario, result: RunResult, choices: readonly string[] | undefined, patches: string | undefined): void {
  if (!choices) throw new UsageError(`--emit-schedule: scenario '${scenario.name}' has no concurrent: block, so there is no schedule to write`)
  writeScheduleFile(file, scheduleFile(scenario.name, result.kernel, result.arch, patches, concurrentTasks(scenario), choices))
}

export function writeScheduleFile(file: string, schedule: ScheduleFile): void {
  writeFileSync(file, JSON.stringify(schedule, null, 2) + '\n')
}
