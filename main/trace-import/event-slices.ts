/**
 * Where the importer writes its events. In memory (the EventLog of a Trace: tests, small inputs) or,
 * for `import-trace`, EventSlices: fixed-size column slices handed on as each one fills, so the run's
 * events go to the store while the text is still being read and memory holds one slice, not the run
 * (docs/trace-import.md#memory). Pure: no Node. Its own columns rather than an EventLog: the log keeps
 * every chunk for the run, and its internals are the engine's to change.
 */
import type { EventColumns, EventKind } from '../sim/events'
import { MAX_CAUSES, MAX_TASKS, newColumns } from '../sim/events'

/** What the importer needs of an event log: EventLog has it, and so does EventSlices. */
export interface EventSink {
  readonly count: number
  readonly tasks: readonly string[]
  readonly causes: readonly string[]
  taskId(name: string): number
  causeId(text: string): number
  push(step: number, task: number, kind: EventKind, level: number, pfn: number, before: number, after: number, cause: number, entry?: bigint): void
}

/** Receives events [first, first + columns.count) in fresh columns it may keep or transfer. */
export type SliceConsumer = (columns: EventColumns, first: number) => void

type Slice = { -readonly [K in keyof EventColumns]: EventColumns[K] }

function newSlice(n: number): Slice {
  return { count: 0, ...newColumns(n) }
}

/**
 * Events in slices of `sliceEvents` (a multiple of the store's chunk size, so every slice but the last
 * packs into whole chunks exactly as a one-go save would). Each full slice goes to `consume`. With
 * `reuse` the consumer copies what it needs before it returns (an in-thread save packs the chunks), and
 * the same columns are filled again: no garbage per slice. Without it a new slice is allocated, so the
 * consumer may keep the buffers or transfer them to another thread.
 */
export class EventSlices implements EventSink {
  count = 0
  readonly tasks: string[] = []
  readonly causes: string[] = []
  private readonly taskIds = new Map<string, number>()
  private readonly causeIds = new Map<string, number>()
  private slice: Slice
  private first = 0

  constructor(
    private readonly sliceEvents: number,
    private readonly consume: SliceConsumer,
    private readonly reuse = false,
  ) {
    if (!Number.isInteger(sliceEvents) || sliceEvents < 1) throw new RangeError(`sliceEvents must be a positive integer, not ${sliceEvents}`)
    this.slice = newSlice(sliceEvents)
  }

  taskId(name: string): number {
    return intern(name, this.tasks, this.taskIds, MAX_TASKS, 'tasks')
  }

  causeId(text: string): number {
    return intern(text, this.causes, this.causeIds, MAX_CAUSES, 'event causes')
  }

  /** The column writes of EventLog.push (main/sim/events.ts), into a slice that is handed on when full. */
  push(step: number, task: number, kind: EventKind, level: number, pfn: number, before: number, after: number, cause: number, entry = 0n): void {
    const s = this.slice
    const i = s.count++
    this.count++
    s.step[i] = step
    s.task[i] = task
    s.kind[i] = kind
    s.level[i] = level
    s.pfn[i] = pfn
    s.before[i] = before
    s.after[i] = after
    s.cause[i] = cause
    if (entry !== 0n) s.entry[i] = entry
    if (s.count === this.sliceEvents) this.handOn(this.sliceEvents)
  }

  /** Hands on the events of the last, partly filled slice (call once, at the end). */
  flush(): void {
    if (this.slice.count > 0) this.handOn(1)
  }

  private handOn(nextSize: number): void {
    const full = this.slice
    const first = this.first
    this.first += full.count
    if (!this.reuse) {
      this.slice = newSlice(nextSize)
      this.consume(full, first)
      return
    }
    this.consume(full, first)
    // push() writes an entry only when it is not 0: clear the ones this slice held.
    full.entry.fill(0n, 0, full.count)
    full.count = 0
  }
}

function intern(text: string, list: string[], ids: Map<string, number>, max: number, what: string): number {
  let id = ids.get(text)
  if (id === undefined) {
    // The importer folds the rest into one '(other ...)' entry before this limit (16-bit ids).
    if (list.length >= max) throw new RangeError(`more than ${max} distinct ${what}: the store keeps their ids in 16 bits`)
    id = list.length
    list.push(text)
    ids.set(text, id)
  }
  return id
}
