/**
 * A counterexample's schedule as swimlanes (the Explore view): one lane per concurrent task, one box
 * per atomic step in schedule order (its column), the racing steps marked. "Racing" is the explorer's
 * own mark (main/explore/search.ts swimlanes()): the step reads or changes a page that another task's
 * step in the same schedule also touches, which is where the order between tasks decides the outcome.
 * A step that touches the violating folio (the replayed run's first violation's) is marked too.
 * Pure: the component only draws this.
 */
import type { SwimStep } from '../../../main/explore/search'

export interface SwimBox {
  /** Position in the schedule (0-based): the box's column. */
  readonly column: number
  readonly task: string
  readonly label: string
  /** The label without its operation's prefix (`memory_failure: find the owner` -> `find the owner`): the box names the op apart. */
  readonly action: string
  readonly op: string
  /** The scenario step (run step index) this atomic step belongs to. */
  readonly step: number
  readonly source: string
  readonly pages: readonly string[]
  readonly racing: boolean
  /** It reads or changes the violating folio. */
  readonly onFolio: boolean
  /** The last step of the counterexample: the violation is raised by it (or, for a blocked task, when nothing can run after it). */
  readonly last: boolean
  /** What the hover shows: position, task, the kernel code, its source, the pages and who else touches them. */
  readonly title: string
}

export interface SwimLane {
  readonly task: string
  readonly boxes: readonly SwimBox[]
}

export interface SwimLayout {
  readonly lanes: readonly SwimLane[]
  readonly columns: number
  readonly racing: number
}

/** Lays out `schedule` over `tasks` (the scenario's concurrent tasks, in order; a task seen only in the schedule gets a lane too). */
export function swimlaneLayout(tasks: readonly string[], schedule: readonly SwimStep[], kind?: string, folio?: string): SwimLayout {
  const names = [...tasks]
  for (const s of schedule) if (!names.includes(s.task)) names.push(s.task)
  const touchedBy = new Map<string, Set<string>>()
  for (const s of schedule) for (const p of s.pages) (touchedBy.get(p) ?? touchedBy.set(p, new Set()).get(p)!).add(s.task)
  const boxes = schedule.map((s, column): SwimBox => {
    const last = column === schedule.length - 1
    const others = [...new Set(s.pages.flatMap((p) => [...touchedBy.get(p)!].filter((t) => t !== s.task)))]
    const lines = [`${column + 1}. ${s.task}: ${s.label}`, s.source, `scenario step ${s.step} (${s.op})`]
    if (s.pages.length > 0) lines.push(`pages ${s.pages.join(', ')}`)
    const onFolio = folio !== undefined && s.pages.includes(folio)
    if (onFolio) lines.push(`touches the violating folio ${folio}`)
    if (s.racing) lines.push(`racing: ${others.join(', ')} also touch${others.length === 1 ? 'es' : ''} ${others.length === 1 ? 'a page' : 'pages'} of this step`)
    if (last) lines.push(kind === 'task_blocked' ? 'after this step no task can run: a task is left blocked' : `this step raises ${kind ?? 'the violation'}`)
    const prefix = `${s.op}: `
    const action = s.label.startsWith(prefix) ? s.label.slice(prefix.length) : s.label
    return { column, task: s.task, label: s.label, action, op: s.op, step: s.step, source: s.source, pages: s.pages, racing: s.racing, onFolio, last, title: lines.join('\n') }
  })
  return {
    lanes: names.map((task) => ({ task, boxes: boxes.filter((b) => b.task === task) })),
    columns: schedule.length,
    racing: boxes.filter((b) => b.racing).length,
  }
}
