/** What the exporters read: one run with its result, its decoded log and where its regions sit. Pure. */
import type { RegionSpan, RunEvents } from '../diff/types'
import type { RunResult } from '../sim/result'

export interface ExportRun {
  /** e.g. `run 12`. */
  readonly label: string
  readonly runId: number
  readonly session: string | null
  readonly result: RunResult
  readonly events: RunEvents
  readonly regions: readonly RegionSpan[]
}
