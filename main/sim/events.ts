/**
 * The per-run event log: every refcount, mapcount, pincount, pgmap-ref and page-table change with the
 * step, task and cause. Columnar typed arrays rather than objects: the engine appends millions of
 * events and the store writes them as packed BLOB chunks (docs/adr/0003-event-layout.md).
 */
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

export class EventLog {
  private capacity: number
  count = 0
  step: Int32Array
  task: Uint16Array
  kind: Uint8Array
  level: Uint8Array
  pfn: Float64Array
  before: Float64Array
  after: Float64Array
  entry: BigUint64Array
  cause: Uint16Array
  readonly tasks: string[] = []
  readonly causes: string[] = []
  private readonly taskIds = new Map<string, number>()
  private readonly causeIds = new Map<string, number>()

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity
    this.step = new Int32Array(initialCapacity)
    this.task = new Uint16Array(initialCapacity)
    this.kind = new Uint8Array(initialCapacity)
    this.level = new Uint8Array(initialCapacity)
    this.pfn = new Float64Array(initialCapacity)
    this.before = new Float64Array(initialCapacity)
    this.after = new Float64Array(initialCapacity)
    this.entry = new BigUint64Array(initialCapacity)
    this.cause = new Uint16Array(initialCapacity)
  }

  taskId(name: string): number {
    let id = this.taskIds.get(name)
    if (id === undefined) {
      id = this.tasks.length
      this.tasks.push(name)
      this.taskIds.set(name, id)
    }
    return id
  }

  causeId(text: string): number {
    let id = this.causeIds.get(text)
    if (id === undefined) {
      id = this.causes.length
      this.causes.push(text)
      this.causeIds.set(text, id)
    }
    return id
  }

  push(step: number, task: number, kind: EventKind, level: number, pfn: number, before: number, after: number, cause: number, entry = 0n): void {
    if (this.count === this.capacity) this.grow()
    const i = this.count++
    this.step[i] = step
    this.task[i] = task
    this.kind[i] = kind
    this.level[i] = level
    this.pfn[i] = pfn
    this.before[i] = before
    this.after[i] = after
    this.cause[i] = cause
    this.entry[i] = entry
  }

  private grow(): void {
    const next = this.capacity * 2
    const grow = <T extends Int32Array | Uint16Array | Uint8Array | Float64Array | BigUint64Array>(a: T, make: (n: number) => T): T => {
      const b = make(next)
      b.set(a as never)
      return b
    }
    this.step = grow(this.step, (n) => new Int32Array(n))
    this.task = grow(this.task, (n) => new Uint16Array(n))
    this.kind = grow(this.kind, (n) => new Uint8Array(n))
    this.level = grow(this.level, (n) => new Uint8Array(n))
    this.pfn = grow(this.pfn, (n) => new Float64Array(n))
    this.before = grow(this.before, (n) => new Float64Array(n))
    this.after = grow(this.after, (n) => new Float64Array(n))
    this.entry = grow(this.entry, (n) => new BigUint64Array(n))
    this.cause = grow(this.cause, (n) => new Uint16Array(n))
    this.capacity = next
  }

  columns(): EventColumns {
    const n = this.count
    return {
      count: n,
      step: this.step.subarray(0, n),
      task: this.task.subarray(0, n),
      kind: this.kind.subarray(0, n),
      level: this.level.subarray(0, n),
      pfn: this.pfn.subarray(0, n),
      before: this.before.subarray(0, n),
      after: this.after.subarray(0, n),
      entry: this.entry.subarray(0, n),
      cause: this.cause.subarray(0, n),
    }
  }

  decode(i: number): TraceEvent {
    return decodeColumns(this, i, i, this.tasks, this.causes)
  }

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
