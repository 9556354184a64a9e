/**
 * What the session diff compares and what it reports. Pure: the CLI feeds it from the store or an
 * archive, the app's views from the contract. The report is the `--json` contract
 * (docs/formats.md#session-diff-json): add fields, never rename them.
 */
import type { EventColumns } from '../sim/events'
import type { RunResult } from '../sim/result'

/** How runs pair across the two sides. */
export interface RunKey {
  readonly scenario: string
  readonly kernel: string
  readonly arch: string
  readonly variant: string
  readonly profile: string
  readonly profileHash: string
}

export interface RunEvents {
  readonly cols: EventColumns
  readonly tasks: readonly string[]
  readonly causes: readonly string[]
}

/** A region of the run's machine in physical memory, to name pages by (region, offset) instead of pfn. */
export interface RegionSpan {
  readonly name: string
  readonly basePfn: number
  readonly pages: number
  readonly pageSize: number
}

/** One stored run; the loaders are called only when the digests say the pair differs. */
export interface DiffRun {
  readonly key: RunKey
  /** e.g. `run 12`. */
  readonly label: string
  readonly digests: { readonly result: string; readonly events: string }
  result(): RunResult
  events(): RunEvents
  regions(): RegionSpan[]
}

/** A combination of a sweep that has no run: skipped (with the reason), failed or still pending. */
export interface NotRun {
  readonly key: RunKey
  readonly status: 'skipped' | 'failed' | 'pending'
  readonly reason: string | null
}

export interface DiffSide {
  readonly label: string
  readonly runs: readonly DiffRun[]
  readonly notRun: readonly NotRun[]
}

export type PairedBy = 'exact' | 'profile' | 'kernel'

export interface StepChange {
  readonly index: number
  readonly op: string
  readonly task: string
  readonly label?: string
  /** field -> [A's value, B's value]; '' when the field is absent on that side. */
  readonly fields: Record<string, [string, string]>
}

export interface EventRef {
  readonly kind: string
  readonly step: number
  readonly message: string
}

export interface BlockedRef {
  readonly task: string
  readonly step: number
  readonly op: string
}

export interface FolioChange {
  readonly region: string
  /** Byte offset into the region, hex; for a page outside every region, its pfn (region `-`). */
  readonly offset: string
  /** The first step after which refcount/mapcount/pincount/entry differ, with both values. */
  readonly first_divergence: { readonly step: number; readonly op: string; readonly fields: Record<string, [string, string]> } | null
  /** Final state where it differs (from the run results); missing on a side: '-'. */
  readonly final: Record<string, [string, string]>
}

export interface PgmapChange {
  readonly name: string
  readonly a: number | null
  readonly b: number | null
}

export interface SwitchChange {
  readonly only_a: readonly string[]
  readonly only_b: readonly string[]
  readonly edits?: readonly [string, string]
}

export interface ChangedRun {
  readonly key: RunKey
  /** B's key when the pair was made by a relaxed key (paired_by != exact). */
  readonly b_key?: RunKey
  readonly paired_by: PairedBy
  readonly a_run: string
  readonly b_run: string
  /** Differences in the run's own fields: kernel, scheme, quirks, arch, variant, profile. */
  readonly header: Record<string, [string, string]>
  /**
   * Patch switches on in only one of the runs, and the two `--patches` edits when they differ; null
   * when the switch sets agree or either run was stored before switches were recorded.
   */
  readonly switches: SwitchChange | null
  readonly steps: StepChange[]
  readonly violations_added: EventRef[]
  readonly violations_removed: EventRef[]
  readonly blocked_added: BlockedRef[]
  readonly blocked_removed: BlockedRef[]
  readonly folios: FolioChange[]
  readonly pgmaps: PgmapChange[]
  readonly events: { readonly a: number; readonly b: number }
  /** The first trace event that differs (by position in the log), or null when the logs are equal. */
  readonly first_event: { readonly seq: number; readonly step: number; readonly fields: Record<string, [string, string]> } | null
  /** One line: the first divergence, for summaries. */
  readonly headline: string
}

export interface NotRunChange {
  readonly key: RunKey
  readonly a: { readonly status: string; readonly reason: string | null; readonly run?: string } | null
  readonly b: { readonly status: string; readonly reason: string | null; readonly run?: string } | null
}

export interface SessionDiff {
  readonly format: 'daxlab-diff/1'
  readonly a: { readonly label: string; readonly runs: number; readonly not_run: number }
  readonly b: { readonly label: string; readonly runs: number; readonly not_run: number }
  readonly identical: boolean
  readonly summary: { readonly identical: number; readonly changed: number; readonly only_in_a: number; readonly only_in_b: number; readonly not_run_changed: number }
  readonly summary_line: string
  readonly changed: ChangedRun[]
  readonly only_in_a: (RunKey & { readonly run: string })[]
  readonly only_in_b: (RunKey & { readonly run: string })[]
  readonly not_run: NotRunChange[]
}
