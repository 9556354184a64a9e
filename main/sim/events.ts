/**
 * The per-run event log: every refcount, mapcount, pincount, pgmap-ref and page-table change with the
 * step, task and cause. Columnar typed arrays rather than objects: the engine appends millions of
 * events and the store writes them as packed BLOB chunks (docs/adr/0003-event-layout.md, and
 * docs/adr/0006-engine-layout.md for the chunked log, docs/adr/0026-event-runs-and-sparse-entries.md
 * for how a chunk holds step, task and entry).
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

/** The nine columns without their count (what a chunk packer fills, what newColumns makes). */
export type ColumnArrays = Omit<EventColumns, 'count'>
type Columns = ColumnArrays
type ColumnName = keyof Columns
const COLUMN_NAMES: readonly ColumnName[] = ['step', 'task', 'kind', 'level', 'pfn', 'before', 'after', 'entry', 'cause']

/** Zeroed columns for n events: the one place that knows each column's element type. */
export function newColumns(n: number): Columns {
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

/**
 * A run's events as a packer reads them: the engine's log, which writes a range straight into the
 * packer's column views (no flat copy of the whole run first), or plain flat columns (flatRange).
 */
export interface EventRange {
  readonly count: number
  /** Writes events [start, end) into `out` from index 0; `out` starts zeroed. Throws RangeError past the stored events. */
  writeRange(start: number, end: number, out: ColumnArrays): void
}

/** Flat columns as an EventRange: each column's slice copied with one set(). */
export function flatRange(cols: EventColumns): EventRange {
  return {
    count: cols.count,
    writeRange(start, end, out) {
      for (const name of COLUMN_NAMES) {
        const column = cols[name]
        if (column.length < end) throw new RangeError(`event column '${name}' holds ${column.length} events; the log claims ${cols.count} (chunk ends at ${end})`)
        ;(out[name] as Uint8Array).set(column.subarray(start, end) as unknown as Uint8Array)
      }
    },
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

/**
 * One fixed-size block of the log. A chunk is never copied or resized: a full one stays as it is.
 *
 * Not the 9 flat columns: 28 of an event's 42 bytes are per event (kind, level, cause, pfn, before,
 * after, in one buffer), and the rest is stored where it changes. Step and task change once per step
 * (about 5 to 20 events), so they are runs: run r starts at position `runAt[r]`. Entries exist only
 * on entry events (1 in 5 to 1 in 20), so they are a sparse list of (position, value). Both lists
 * are small typed arrays that grow by doubling. Readers get the flat columns (`expandChunk`), so the
 * store, the codec and every consumer see what the 9-column log gave them. Fewer fresh bytes per
 * event is fewer bytes zeroed and less external memory for the collector to react to
 * (docs/adr/0026-event-runs-and-sparse-entries.md).
 */
interface Chunk {
  readonly capacity: number
  readonly kind: Uint8Array
  readonly level: Uint8Array
  readonly cause: Uint16Array
  readonly pfn: Float64Array
  readonly before: Float64Array
  readonly after: Float64Array
  runAt: Int32Array
  runStep: Int32Array
  runTask: Uint16Array
  runs: number
  entryAt: Int32Array
  entryVal: BigUint64Array
  entries: number
}

function newChunk(capacity: number): Chunk {
  // One zeroed buffer for the per-event columns, widest first so every view is aligned.
  const buffer = new ArrayBuffer(capacity * 28)
  // Run and entry lists sized for a chunk of 4-event steps with an entry every 4 events (the bench's
  // device DAX mix has ~5 events a step, ~1 entry in 3): at a sixteenth of the capacity they doubled
  // twice per chunk, copying what they held each time. Still far smaller than the event columns.
  const list = Math.max(8, capacity >> 2)
  return {
    capacity,
    pfn: new Float64Array(buffer, 0, capacity),
    before: new Float64Array(buffer, capacity * 8, capacity),
    after: new Float64Array(buffer, capacity * 16, capacity),
    cause: new Uint16Array(buffer, capacity * 24, capacity),
    kind: new Uint8Array(buffer, capacity * 26, capacity),
    level: new Uint8Array(buffer, capacity * 27, capacity),
    runAt: new Int32Array(list),
    runStep: new Int32Array(list),
    runTask: new Uint16Array(list),
    runs: 0,
    entryAt: new Int32Array(list),
    entryVal: new BigUint64Array(list),
    entries: 0,
  }
}

/** A typed array twice as long holding a's elements (the run and entry lists grow this way). */
function doubled<T extends Int32Array | Uint16Array | BigUint64Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2)
  b.set(a as never)
  return b
}

/** Index of the last element of sorted a[0, n) that is <= x (0 when none is: a[0] is 0 for runs). */
function lastAtOrBelow(a: Int32Array, n: number, x: number): number {
  let lo = 0
  let hi = n - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (a[mid]! <= x) lo = mid
    else hi = mid - 1
  }
  return lo
}

/** Index of the first element of sorted a[0, n) that is >= x (n when none is). */
function firstAtOrAbove(a: Int32Array, n: number, x: number): number {
  let lo = 0
  let hi = n
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (a[mid]! < x) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Chunk positions [from, to) written as flat columns into `out` from index `at`. `out` starts zeroed
 * (newColumns), so only real entries are stored.
 */
function expandChunk(c: Chunk, from: number, to: number, out: Columns, at: number): void {
  if (from >= to) return
  const w = out as { -readonly [K in ColumnName]: Columns[K] }
  w.kind.set(c.kind.subarray(from, to), at)
  w.level.set(c.level.subarray(from, to), at)
  w.cause.set(c.cause.subarray(from, to), at)
  w.pfn.set(c.pfn.subarray(from, to), at)
  w.before.set(c.before.subarray(from, to), at)
  w.after.set(c.after.subarray(from, to), at)
  for (let r = lastAtOrBelow(c.runAt, c.runs, from); r < c.runs && c.runAt[r]! < to; r++) {
    const s = Math.max(c.runAt[r]!, from) - from + at
    const e = (r + 1 < c.runs ? Math.min(c.runAt[r + 1]!, to) : to) - from + at
    // A loop, not two TypedArray fill() calls: runs are a step's events (about 5 on the bench's mix),
    // too short for fill's call to pay off. Expanding the mix's 555k events: 17 ms to 7 ms CPU.
    const step = c.runStep[r]!
    const task = c.runTask[r]!
    for (let i = s; i < e; i++) {
      w.step[i] = step
      w.task[i] = task
    }
  }
  for (let k = firstAtOrAbove(c.entryAt, c.entries, from); k < c.entries && c.entryAt[k]! < to; k++) w.entry[c.entryAt[k]! - from + at] = c.entryVal[k]!
}

/**
 * The log in fixed-size chunks: appending never copies what is already written (the old log
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
  /** Step and task of the current chunk's last run (NaN: the chunk has no run yet). */
  private runStep = NaN
  private runTask = NaN
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
    if (step !== this.runStep || task !== this.runTask) this.startRun(c, i, step, task)
    c.kind[i] = kind
    c.level[i] = level
    c.pfn[i] = pfn
    c.before[i] = before
    c.after[i] = after
    c.cause[i] = cause
    // Entries are a sparse list: only a real entry is stored (the flat column reads 0 elsewhere).
    if (entry !== 0n) this.addEntry(c, i, entry)
  }

  /**
   * push() for a count change: no level and no entry. The buffer starts zeroed and is never reused,
   * so the level already reads 0 and is not written.
   */
  pushCount(step: number, task: number, kind: EventKind, pfn: number, before: number, after: number, cause: number): void {
    if (this.pos === this.current.capacity) this.nextChunk()
    const c = this.current
    const i = this.pos++
    this.count++
    if (step !== this.runStep || task !== this.runTask) this.startRun(c, i, step, task)
    c.kind[i] = kind
    c.pfn[i] = pfn
    c.before[i] = before
    c.after[i] = after
    c.cause[i] = cause
  }

  /** A new (step, task) run from chunk position i. */
  private startRun(c: Chunk, i: number, step: number, task: number): void {
    const r = c.runs++
    if (r === c.runAt.length) {
      c.runAt = doubled(c.runAt)
      c.runStep = doubled(c.runStep)
      c.runTask = doubled(c.runTask)
    }
    c.runAt[r] = i
    c.runStep[r] = step
    c.runTask[r] = task
    this.runStep = step
    this.runTask = task
  }

  private addEntry(c: Chunk, i: number, entry: bigint): void {
    const k = c.entries++
    if (k === c.entryAt.length) {
      c.entryAt = doubled(c.entryAt)
      c.entryVal = doubled(c.entryVal)
    }
    c.entryAt[k] = i
    // BigUint64Array stores entry mod 2^64, as the flat column did.
    c.entryVal[k] = entry
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
    // Every chunk starts its own runs.
    this.runStep = NaN
    this.runTask = NaN
  }

  /** Flat columns of every event stored, joined from the chunks once and reused until more arrive. */
  columns(): EventColumns {
    return { count: this.count, ...this.flatColumns() }
  }

  /** The joined columns (also behind the `step`, `pfn`, ... getters). */
  flatColumns(): Columns {
    const filled = this.filled
    if (!this.joined || this.joined.filled !== filled) this.joined = { filled, cols: this.expand(0, filled) }
    return this.joined.cols
  }

  /** A copy of events [start, end) in fresh flat columns that own their buffers. */
  copyRange(start: number, end: number): EventColumns {
    if (!(start >= 0 && start <= end && end <= this.filled)) throw new RangeError(`events [${start}, ${end}) are not in the log (${this.filled} events)`)
    return { count: end - start, ...this.expand(start, end) }
  }

  /** Events [start, end) as flat columns (no count: columns() carries `count` itself). */
  private expand(start: number, end: number): Columns {
    const out = newColumns(end - start)
    this.writeRange(start, end, out)
    return out
  }

  /**
   * Events [start, end) written into `out` from index 0 (zeroed, as a fresh chunk buffer is): the
   * store packs its chunks straight from the log this way, with no flat copy of the run in between.
   */
  writeRange(start: number, end: number, out: Columns): void {
    if (!(start >= 0 && start <= end && end <= this.filled)) throw new RangeError(`events [${start}, ${end}) are not in the log (${this.filled} events stored; the log claims ${this.count})`)
    let chunkStart = 0
    for (const c of this.chunks) {
      const from = Math.max(start, chunkStart)
      const to = Math.min(end, chunkStart + c.capacity)
      if (from < to) expandChunk(c, from - chunkStart, to - chunkStart, out, from - start)
      chunkStart += c.capacity
      if (chunkStart >= end) break
    }
  }

  decode(i: number): TraceEvent {
    if (!(i >= 0 && i < this.filled)) throw new RangeError(`event ${i} is not in the log (${this.filled} events)`)
    let start = 0
    for (const c of this.chunks) {
      if (i < start + c.capacity) {
        const one = newColumns(1)
        expandChunk(c, i - start, i - start + 1, one, 0)
        return decodeColumns(one, 0, i, this.tasks, this.causes)
      }
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
