/**
 * The trace store's public shape (implemented in ./trace-store.ts with better-sqlite3). Node layer:
 * used by the CLI, the services host behind the Electron app and the web bridge; never by the renderer.
 */
import type { Profile } from '../formats/profile'
import type { TraceEvent } from '../sim/events'
import type { RunResult } from '../sim/result'
import type { Trace } from '../sim/trace'
import type { CheckReport } from './integrity'

export type { RunSummary } from '../contract/api'
import type { RunSummary } from '../contract/api'

export interface SaveRunInput {
  readonly result: RunResult
  readonly trace: Trace
  /** Source text of the scenario as the user wrote it (kept for re-runs and archives). */
  readonly scenarioText: string
  readonly profile: Profile
  readonly session?: string
}

export interface RunFilter {
  readonly session?: string
  readonly scenario?: string
  readonly kernel?: string
  readonly limit?: number
}

export interface EventQuery {
  readonly fromSeq?: number
  readonly limit?: number
  /** Event kind names (EVENT_KIND_NAMES) to keep. */
  readonly kinds?: readonly string[]
  readonly step?: number
}

export interface StoredViolation {
  readonly runId: number
  readonly kind: string
  readonly step: number
  readonly message: string
  readonly pfn: string | null
}

export interface SessionSummary {
  readonly name: string
  readonly createdAt: string
  readonly runs: number
}

export interface TraceStoreApi {
  readonly path: string
  schemaVersion(): number
  /** Writes the run, its steps, violations and events in one transaction; returns the run id. */
  saveRun(input: SaveRunInput): number
  listRuns(filter?: RunFilter): RunSummary[]
  getRun(id: number): { summary: RunSummary; result: RunResult; scenarioText: string } | undefined
  getEvents(id: number, query?: EventQuery): TraceEvent[]
  listViolations(filter?: { runId?: number; kind?: string; session?: string }): StoredViolation[]
  listSessions(): SessionSummary[]
  deleteRun(id: number): boolean
  /** Why writes are refused (the store is read-only or damaged), or undefined when it is writable. */
  readonly readOnly: string | undefined
  /** Throws the read-only or damaged-store error a write would meet (commands call it before long work). */
  assertWritable(): void
  /** SQLite's integrity_check and every checksum (`daxlab store check`). */
  check(): CheckReport
  close(): void
}
