/**
 * The per-run event log: every refcount, mapcount, pincount, pgmap-ref and page-table change with the
 * step, task and cause. Columnar typed arrays rather than objects: the engine appends millions of
 * events and the store writes them as packed BLOB chunks (docs/adr/0003-event-layout.md, and
 * docs/adr/0006-engine-layout.md for the chunked log).
 */
import { BudgetError, RUN_EVENT_BUDGET } from './budget'
import { causeText, type CauseId } from './causes'
import { ModelError } from './errors'

export const EventKind = {
  REFCOUNT: 0,
  MAPCOUNT: 1,
  PINCOUNT: 2,
  PGMAP_REFS: 3,
  ENTRY_SET: 4,
  ENTRY_CLEAR: 5,
  WAIT: 6,
  WAKE: 7,
  FOLIO_ORDER: 8,
  FOLIO_FREE: 9,
  BLOCK_FREE: 10,
} as const
export type EventKind = (typeof EventKind)[keyof typeof EventKind]
export const EVENT_KIND_NAMES: readonly string[] = [
  'refcount',
  'mapcount',
  'pincount',
  'pgmap_refs',
  'entry_set',
  'entry_clear',
  'wait',
  'wake',
  'folio_order',
  'folio_free',
  'block_free',
]

export const LEVEL_CODES = { none: 0, pte: 1, pmd: 2, pud: 3 } as const
export const LEVEL_NAMES = ['none', 'pte', 'pmd', 'pud'] as const

/** One event decoded for display; the log itself stays columnar. */
export interface TraceEvent {
  readonly seq: number
  readonly step: number
  readonly task: string
  readonly kind: string
  readonly level: (typeof LEVEL_NAMES)[number]
  readonly pfn: number
  readonly before: number
  readonly after: number
  readonly entry?: bigint
  readonly cause: string
}

export interface EventColumns {
  readonly count: number
  readonly step: Int32Array
  readonly task: Uint16Array
  readonly kind: Uint8Array
  readonly level: Uint8Array
  readonly pfn: Float64Array
  readonly before: Float64Array
  readonly after: Float64Array
  readonly entry: BigUint64Array
  readonly cause: Uint16Array
}

/** Task and cause ids are Uint16 in the log and the store: a run may name at most this many of each. */
export const MAX_TASKS = 65_535
export const MAX_CAUSES = 65_535

/** A run that needs more task or cause ids than the log can hold: refused, never wrapped. */
export class EventLogLimitError extends ModelError {
  override name = 'EventLogLimitError'
}

/** Chunk capacities: small first chunks for the many short runs, then fixed 64Ki-event chunks. */
const CHUNK_SIZES = [1024, 4096, 16384] as const
const CHUNK_EVENTS = 65536

type Columns = Omit<EventColumns, 'count'>
type ColumnName = keyof Columns
const COLUMN_NAMES: readonly ColumnName[] = ['step', 'task', 'kind', 'level', 'pfn', 'before', 'after', 'entry', 'cause']

/** Zeroed columns for n events: the one place that knows each column's element type. */
function newColumns(n: number): Columns {
  return {
    step: new Int32Array(n),
    task: new Uint16Array(n),
    kind: new Uint8Array(n),
    level: new Uint8Array(n),
    pfn: new Float64Array(n),
    before: new Float64Array(n),
    after: new Float64Array(n),
    entry: new BigUint64Array(n),
    cause: new Uint16Array(n),
  }
}

/** Column sets (store chunks, say) concatenated in order into one. */
export function concatColumns(parts: readonly EventColumns[]): EventColumns {
  const count = parts.reduce((n, c) => n + c.count, 0)
  const out = newColumns(count)
  let at = 0
  for (const c of parts) {
    for (const name of COLUMN_NAMES) (out[name] as Uint8Array).set(c[name].subarray(0, c.count) as unknown as Uint8Array, at)
    at += c.count
  }
  return { count, ...out }
}

/** One fixed-size block of every column. Chunks are never copied or resized: a full one stays as it is. */
interface Chunk extends Columns {
  readonly capacity: number
}

function newChunk(capacity: number): Chunk {
  return { capacity, ...newColumns(capacity) }
}

/**
 * The columns in fixed-size chunks: appending never copies what is already written (the old log
 * doubled and copied, ~20% of a run). `columns()` joins the chunks once when a consumer (the store,
 * a test) wants flat arrays.
 */
export class EventLog {
  /** Events appended (the store checks it against the run result). */
  count = 0
  // Getters defined on the prototype below (flat joined views of each column).
  declare readonly step: Int32Array
  declare readonly task: Uint16Array
  declare readonly kind: Uint8Array
  declare readonly level: Uint8Array
  declare readonly pfn: Float64Array
  declare readonly before: Float64Array
  declare readonly after: Float64Array
  declare readonly entry: BigUint64Array
  declare readonly cause: Uint16Array
  readonly tasks: string[] = []
  readonly causes: string[] = []
  private readonly taskIds = new Map<string, number>()
  private readonly causeIds = new Map<string, number>()
  /** Interned CauseId -> this run's cause id + 1 (0: not used in this run yet). */
  private localCause = new Int32Array(512)
  private readonly chunks: Chunk[] = []
  private current: Chunk
  /** Next free slot in `current`, and events held by the chunks before it. */
  private pos = 0
  private base = 0
  private joined: { filled: number; cols: Columns } | undefined

  /** `firstChunk`: capacity of the first chunk (later ones follow CHUNK_SIZES, then CHUNK_EVENTS). */
  constructor(
    firstChunk: number = CHUNK_SIZES[0],
    /** Events the log may hold: RUN_EVENT_BUDGET (smaller only in tests). */
    private readonly eventBudget: number = RUN_EVENT_BUDGET,
  ) {
    this.current = newChunk(Math.max(1, Math.min(firstChunk, eventBudget)))
    this.chunks.push(this.current)
  }

  /** Events actually stored (equals `count` unless a caller changed `count`). */
  get filled(): number {
    return this.base + this.pos
  }

  taskId(name: string): number {
    let id = this.taskIds.get(name)
    if (id === undefined) {
      if (this.tasks.length >= MAX_TASKS) throw new EventLogLimitError(`the run names more than ${MAX_TASKS} tasks (task '${name}'): the trace stores task ids in 16 bits`)
      id = this.tasks.length
      this.tasks.push(name)
      this.taskIds.set(name, id)
    }
    return id
  }

  /** This run's id for a cause text (texts that carry run data: wait reasons with a pfn). */
  causeId(text: string): number {
    let id = this.causeIds.get(text)
    if (id === undefined) {
      if (this.causes.length >= MAX_CAUSES) throw new EventLogLimitError(`the run writes more than ${MAX_CAUSES} distinct event causes: the trace stores cause ids in 16 bits`)
      id = this.causes.length
      this.causes.push(text)
      this.causeIds.set(text, id)
    }
    return id
  }

  /** This run's id for an interned cause: one array read once the cause has been seen in the run. */
  internedCause(cause: CauseId): number {
    if (cause >= this.localCause.length) {
      const next = new Int32Array(Math.max(cause + 1, this.localCause.length * 2))
      next.set(this.localCause)
      this.localCause = next
    }
    const local = this.localCause[cause]!
    if (local !== 0) return local - 1
    const id = this.causeId(causeText(cause))
    this.localCause[cause] = id + 1
    return id
  }

  push(step: number, task: number, kind: EventKind, level: number, pfn: number, before: number, after: number, cause: number, entry = 0n): void {
    if (this.pos === this.current.capacity) this.nextChunk()
    const c = this.current
    const i = this.pos++
    this.count++
    c.step[i] = step
    c.task[i] = task
    c.kind[i] = kind
    c.level[i] = level
    c.pfn[i] = pfn
    c.before[i] = before
    c.after[i] = after
    c.cause[i] = cause
    // Chunks start zeroed and are never reused: only a real entry needs a BigInt store.
    if (entry !== 0n) c.entry[i] = entry
  }

  /**
   * push() for a count change: no level and no entry. Chunks start zeroed and are never reused, so
   * those two columns already hold 0 and are not written.
   */
  pushCount(step: number, task: number, kind: EventKind, pfn: number, before: number, after: number, cause: number): void {
    if (this.pos === this.current.capacity) this.nextChunk()
    const c = this.current
    const i = this.pos++
    this.count++
    c.step[i] = step
    c.task[i] = task
    c.kind[i] = kind
    c.pfn[i] = pfn
    c.before[i] = before
    c.after[i] = after
    c.cause[i] = cause
  }

  private nextChunk(): void {
    const filled = this.base + this.pos
    if (filled >= this.eventBudget) {
      throw new BudgetError(`the run records more than ${this.eventBudget.toLocaleString('en-US')} trace events, the per-run budget (docs/kernel-model.md#work-budgets)`)
    }
    this.base = filled
    this.pos = 0
    // The last chunk ends exactly at the budget, so the limit is exact.
    this.current = newChunk(Math.min(CHUNK_SIZES[this.chunks.length] ?? CHUNK_EVENTS, this.eventBudget - filled))
    this.chunks.push(this.current)
  }

  /** Flat columns of every event stored, joined from the chunks once and reused until more arrive. */
  columns(): EventColumns {
    return { count: this.count, ...this.flatColumns() }
  }

  /** The joined columns (also behind the `step`, `pfn`, ... getters). */
  flatColumns(): Columns {
    const filled = this.filled
    if (!this.joined || this.joined.filled !== filled) this.joined = { filled, cols: this.join(filled) }
    return this.joined.cols
  }

  private join(filled: number): Columns {
    const single = this.chunks.length === 1
    const out = (single ? {} : newColumns(filled)) as { -readonly [K in ColumnName]: Columns[K] }
    const views = out as Record<ColumnName, unknown>
    for (const name of COLUMN_NAMES) {
      if (single) {
        // One chunk: views of it, no copy.
        views[name] = this.current[name].subarray(0, filled)
        continue
      }
      let at = 0
      for (const c of this.chunks) {
        const n = Math.min(c.capacity, filled - at)
        if (n <= 0) break
        out[name].set(c[name].subarray(0, n) as never, at)
        at += n
      }
    }
    return out as Columns
  }

  /**
   * A copy of events [start, end) in fresh columns that own their buffers (a streamed save posts them to
   * its writer thread while the log goes on filling).
   */
  copyRange(start: number, end: number): EventColumns {
    if (!(start >= 0 && start <= end && end <= this.filled)) throw new RangeError(`events [${start}, ${end}) are not in the log (${this.filled} events)`)
    const out = newColumns(end - start)
    let chunkStart = 0
    for (const c of this.chunks) {
      const from = Math.max(start, chunkStart)
      const to = Math.min(end, chunkStart + c.capacity)
      if (from < to) for (const name of COLUMN_NAMES) (out[name] as Uint8Array).set(c[name].subarray(from - chunkStart, to - chunkStart) as unknown as Uint8Array, from - start)
      chunkStart += c.capacity
      if (chunkStart >= end) break
    }
    return { count: end - start, ...out }
  }

  decode(i: number): TraceEvent {
    if (!(i >= 0 && i < this.filled)) throw new RangeError(`event ${i} is not in the log (${this.filled} events)`)
    let start = 0
    for (const c of this.chunks) {
      if (i < start + c.capacity) return decodeColumns(c, i - start, i, this.tasks, this.causes)
      start += c.capacity
    }
    throw new RangeError(`event ${i} is not in the log`)
  }
}

// The flat columns by name (`log.pfn[i]`), as the log exposed them before it was chunked: read-only views.
for (const name of COLUMN_NAMES) {
  Object.defineProperty(EventLog.prototype, name, {
    get(this: EventLog) {
      return this.flatColumns()[name]
    },
  })
}

/** Event i of a column set, decoded for display (seq: its index in the run's whole log). */
export function decodeColumns(cols: Omit<EventColumns, 'count'>, i: number, seq: number, tasks: readonly string[], causes: readonly string[]): TraceEvent {
  const kind = cols.kind[i]!
  const isEntry = kind === EventKind.ENTRY_SET || kind === EventKind.ENTRY_CLEAR
  return {
    seq,
    step: cols.step[i]!,
    task: tasks[cols.task[i]!] ?? '?',
    kind: EVENT_KIND_NAMES[kind] ?? String(kind),
    level: LEVEL_NAMES[cols.level[i]!] ?? 'none',
    pfn: cols.pfn[i]!,
    before: cols.before[i]!,
    after: cols.after[i]!,
    ...(isEntry ? { entry: cols.entry[i]! } : {}),
    cause: causes[cols.cause[i]!] ?? '?',
  }
}
