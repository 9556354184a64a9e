/**
 * The run result: the JSON `daxlab run --json` prints and the store keeps. Field names are a contract
 * (docs/formats.md#run-result): add fields, never rename them.
 */
export type StepStatus = 'ok' | 'error' | 'blocked'
export type EntryLevel = 'pte' | 'pmd' | 'pud'

export interface ProbeResult {
  readonly label?: string
  /** What was probed: `map m1+0x1000`, `file /mnt/pmem0/a+0x0`, `region pmem0+0x0`. */
  readonly target: string
  /** Hex pfn of the page probed, or null when nothing backs that place (a hole, an unmapped address). */
  readonly pfn: string | null
  readonly order: number
  /** folio_ref_count() of the folio, raw: an idle FS DAX page reads 1 on 6.14 and 0 on 6.15+. */
  readonly refcount: number
  /** folio_mapcount() of the folio. */
  readonly mapcount: number
  /** The large folio's _pincount (0 for small folios, whose pins live in the refcount bias). */
  readonly pincount: number
  /** The PTE/PMD/PUD value mapping the probed address (hex), or null when not mapped / not a map probe. */
  readonly entry: string | null
  readonly level: EntryLevel | null
  readonly region: string | null
  /** File the page is associated with through its DAX entry (folio->mapping), or null. */
  readonly mapping: string | null
  readonly pgmap_refs: number | null
}

export interface StepResult {
  readonly index: number
  readonly op: string
  readonly task: string
  status: StepStatus
  /** True when the step blocked before it completed. */
  waited: boolean
  /** Index of the step whose effect let this one complete, when it waited. */
  completed_after?: number
  error?: string
  signal?: string
  /** The signal's si_code where the kernel sets a specific one: SEGV_MAPERR, SEGV_ACCERR, BUS_MCEERR_AR. */
  si_code?: string
  message?: string
  probe?: ProbeResult
  /** Fault sizes tried and what happened (e.g. `pmd: fallback (PMD crosses EOF)`, `pte: mapped`). */
  notes?: string[]
  /** migrate / mirror / snapshot: pages copied, as test_hmm's hmm_dmirror_cmd.cpages reports it. */
  cpages?: number
  /** mirror: device page faults seen (hmm_dmirror_cmd.faults). */
  faults?: number
  /** snapshot: one HMM_DMIRROR_PROT_* byte per page (lib/test_hmm_uapi.h). */
  snapshot?: number[]
  /** migrate / mirror / snapshot: where each page of the range resides afterwards (`ram`, a region name, `none`). */
  resides?: string[]
}

/** Fields an operation may add to its step result (the suites' assertions). */
export type StepExtras = Pick<StepResult, 'cpages' | 'faults' | 'snapshot' | 'resides'>

export interface FolioResult {
  readonly pfn: string
  readonly order: number
  readonly region: string
  readonly refcount: number
  readonly mapcount: number
  readonly pincount: number
}

export interface PgmapResult {
  readonly name: string
  readonly type: string
  readonly refs: number
}

export type ViolationKind =
  | 'refcount_underflow'
  | 'mapcount_underflow'
  | 'pincount_underflow'
  | 'freed_while_mapped'
  | 'freed_while_pinned'
  | 'dma_after_release'
  | 'task_blocked'
  | 'not_idle_at_unmount'
  | 'kernel_warning'
  /** Folio metadata left stale by a split (dax_folio_put without folio_reset_order, 6.15-rc). */
  | 'corrupt_folio_state'
  /** 2022 proposal: pgmap_request_folios() on a folio that already held references (no pgmap reference taken). */
  | 'pgmap_ref_unbalanced'

export interface Violation {
  readonly kind: ViolationKind
  readonly step: number
  readonly message: string
  readonly pfn?: string
  /** The invariant broken (main/sim/findings.ts); absent in runs stored before findings were recorded. */
  readonly rule?: string
  /** What the kernel does about it: use-after-free, DMA into a reallocated block, leak, hang, WARN. */
  readonly consequence?: string
}

export interface BlockedTask {
  readonly task: string
  readonly step: number
  readonly op: string
  readonly reason: string
  readonly pfn?: string
}

/** The patch switches a run ran with (main/sim/patches.ts). */
export interface RunPatches {
  /** Every switch that was on, sorted by name. */
  readonly on: readonly string[]
  /** The `--patches` edit over the kernel's preset (`+name,-name`), when one was given. */
  readonly edits?: string
}

export interface RunResult {
  readonly format: 'daxlab-run/1'
  readonly kernel: string
  readonly scheme: 'legacy' | 'refcounted'
  readonly quirks: readonly string[]
  readonly arch: string
  readonly variant: string
  readonly scenario: string
  readonly profile: string
  readonly steps: StepResult[]
  readonly folios: FolioResult[]
  readonly pgmaps: PgmapResult[]
  readonly violations: Violation[]
  readonly blocked: BlockedTask[]
  /** Number of trace events recorded (the events themselves are in the store). */
  readonly events: number
  /** The switches the run ran with; absent in runs stored before they were recorded. */
  readonly patches?: RunPatches
}

/**
 * A run's step results read a range at a time, without making the whole `steps` array: the store packs
 * them a chunk at a time from it (main/store/prepared-run.ts). A result the engine made carries one
 * under STEP_SOURCE (not enumerable: JSON, spreads and structured clones never see it); any other
 * result is read through its `steps` (stepSourceOf).
 */
export interface RangeSource<T> {
  readonly count: number
  /** Items [first, first + count), in order; for step results the objects may be new ones. */
  range(first: number, count: number): T[]
  /**
   * Optional, step results only: per item of range(first, count), a class (0: none known). Two
   * results of one non-zero class and the same `op` and `task` have the same keys and values but for
   * `index`, their position in the list (SettledSteps.classOf). The record packer uses it to find the
   * earlier record a result repeats without reading the result (main/store/record-codec.ts).
   */
  classes?(first: number, count: number): Float64Array
  /**
   * Optional, with classes: items [first, first + count) where one whose class (`classes`, as
   * classes() gave them) is not 0 may be a stand-in holding only its `op` and `task` (the scenario's
   * step); range() gives the whole item. The packer reads no more of a classed result it refers to
   * an earlier one, so making its object was work for nothing.
   */
  standIns?(first: number, count: number, classes: Float64Array): object[]
}

export type StepSource = RangeSource<StepResult>

export const STEP_SOURCE: unique symbol = Symbol('daxlab.stepSource')

export function stepSourceOf(result: RunResult): StepSource {
  const own = (result as RunResult & { [STEP_SOURCE]?: StepSource })[STEP_SOURCE]
  return own ?? listSource(result.steps)
}

/**
 * A run's folio list as columns, in pfn order (FolioTable.resultColumns): record i is
 * `{ pfn: hex(head[i]), order: order[i], region: regionNames[region[i]], refcount: refcount[i], ... }`.
 */
export interface FolioColumns {
  readonly count: number
  readonly head: Float64Array
  readonly order: Uint8Array
  readonly region: Uint16Array
  readonly regionNames: readonly string[]
  readonly refcount: Float64Array
  readonly mapcount: Float64Array
  readonly pincount: Float64Array
}

/**
 * The folio list of a result the engine made, as columns, without making the list: such a result
 * carries one under FOLIO_SOURCE, not enumerable, like STEP_SOURCE.
 */
export interface FolioSource {
  readonly count: number
  columns(): FolioColumns
}

export const FOLIO_SOURCE: unique symbol = Symbol('daxlab.folioSource')

/**
 * The folio source of an engine result whose `folios` have not been read yet, else undefined. Once
 * the list has been made it is a plain property a caller may have changed, so it is what counts.
 */
export function folioSourceOf(result: RunResult): FolioSource | undefined {
  const own = (result as RunResult & { [FOLIO_SOURCE]?: FolioSource })[FOLIO_SOURCE]
  return own !== undefined && Object.getOwnPropertyDescriptor(result, 'folios')?.get !== undefined ? own : undefined
}

/** A list read a range at a time, as a StepSource is. */
export function listSource<T>(list: readonly T[]): RangeSource<T> {
  return { count: list.length, range: (first, count) => list.slice(first, first + count) }
}
