/**
 * A schedule file (docs/explore.md#schedule-file): which concurrent task runs each atomic step of a
 * scenario's `concurrent:` block. `daxlab explore --emit-schedule` and `daxlab run --emit-schedule`
 * write it; `daxlab run --schedule FILE` replays it. After the last choice the run goes on with the
 * default schedule (round-robin), so a counterexample prefix replays into a whole run.
 */
import { z } from 'zod'
import { FormatError } from './errors'
import { parseDocumentText } from './load'

/** Most choices a schedule file may hold. */
export const MAX_SCHEDULE_CHOICES = 100_000

export const scheduleSchema = z
  .object({
    format: z.literal('daxlab-schedule/1', { error: "expected format 'daxlab-schedule/1'" }),
    scenario: z.string().min(1),
    kernel: z.string().min(1).optional(),
    arch: z.string().min(1).optional(),
    patches: z.string().optional(),
    /** The scenario's concurrent task names, in order (checked against the scenario at replay). */
    tasks: z.array(z.string().min(1)).min(1),
    /** One task name per atomic step, in the order they run. */
    choices: z.array(z.string().min(1)).max(MAX_SCHEDULE_CHOICES, `at most ${MAX_SCHEDULE_CHOICES} choices`),
  })
  .strict()
  .superRefine((s, ctx) => {
    s.choices.forEach((c, i) => {
      if (!s.tasks.includes(c)) ctx.addIssue({ code: 'custom', path: ['choices', i], message: `'${c}' is not one of tasks (${s.tasks.join(', ')})` })
    })
  })

export type ScheduleFile = z.output<typeof scheduleSchema>

export function parseScheduleText(text: string, file: string): ScheduleFile {
  return parseDocumentText(scheduleSchema, text, file)
}

/** The schedule must belong to the scenario it is replayed on: same name, same concurrent tasks. */
export function checkScheduleFits(schedule: ScheduleFile, scenario: string, tasks: readonly string[], file: string): void {
  if (schedule.scenario !== scenario) throw new FormatError(file, [{ path: 'scenario', reason: `the schedule is for scenario '${schedule.scenario}', not '${scenario}'` }])
  if (schedule.tasks.join(',') !== tasks.join(',')) {
    throw new FormatError(file, [{ path: 'tasks', reason: `the schedule's tasks (${schedule.tasks.join(', ')}) are not the scenario's concurrent tasks (${tasks.join(', ') || 'none'})` }])
  }
}

/** A schedule file's content (what both `run --emit-schedule` and `explore --emit-schedule` write). */
export function scheduleFile(scenario: string, kernel: string, arch: string, patches: string | undefined, tasks: readonly string[], choices: readonly string[]): ScheduleFile {
  return { format: 'daxlab-schedule/1', scenario, kernel, arch, ...(patches ? { patches } : {}), tasks: [...tasks], choices: [...choices] }
}
