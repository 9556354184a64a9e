/**
 * The sessions view's part of the contract (main/contract/api.ts spreads it in): the session list, one
 * session's matrix, a sweep with progress and cancel (runProgress / cancelRun with the sweep's jobId),
 * archives as bytes (a download and an upload: neither the renderer nor the web page ever names a path),
 * and the session diff (`daxlab diff`'s JSON). Pure: types, zod schemas and constants only.
 */
import { z } from 'zod'
import type { ChangedRun, SessionDiff } from '../diff/types'

/** Session names: 1 to 200 characters without control characters (checkSessionName in the store). */
// eslint-disable-next-line no-control-regex
export const sessionName = z.string().min(1).max(200).regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters')
const itemName = z.string().min(1).max(200)
const jobId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (at most 64)')

/**
 * The largest archive that travels through the contract, as base64 characters: 2 x MAX_SOURCE_CHARS
 * (24 MiB of archive), which fits the web bridge's body limit (MAX_BODY_BYTES) as it is, since base64
 * needs no JSON escaping. Bigger sessions: `daxlab sessions export` / `import`.
 */
// A literal, not derived from api.ts: api.ts imports this module, so a value import back would be a cycle.
export const MAX_ARCHIVE_BASE64_CHARS = 32 * 1024 * 1024
/** Combinations one getSession answer lists (the counts cover all of them). */
export const SESSION_ITEMS_LIMIT = 2000
/** Changed steps listed per changed run in a diffSessions answer (`steps_total` says how many there are). */
export const DIFF_STEPS_LIMIT = 200

export const sessionSchemas = {
  listSessions: z.object({}).strict().optional(),
  getSession: z.object({ name: sessionName }).strict(),
  runSweep: z
    .object({
      /** Built-in scenario names. */
      scenarios: z.array(itemName).min(1, 'pick at least one scenario').max(500),
      kernels: z.array(itemName).min(1, 'give at least one kernel').max(32),
      arches: z.array(itemName).min(1, 'pick at least one arch').max(16),
      /** Default `sweep-<UTC timestamp>`; an existing name is refused. */
      session: sessionName.optional(),
      /** Worker threads; default 2 where the worker bundle is built, else 1 (in the service's process). */
      jobs: z.number().int().min(1).max(16).optional(),
      jobId: jobId.optional(),
    })
    .strict(),
  exportSession: z.object({ name: sessionName }).strict(),
  importSession: z
    .object({
      /** The .daxlab archive's bytes, base64. */
      data: z.string().min(1, 'the archive is empty').max(MAX_ARCHIVE_BASE64_CHARS, `an archive of at most ${MAX_ARCHIVE_BASE64_CHARS} base64 characters (24 MiB); import bigger ones with daxlab sessions import`).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
      /** The archive's file name, only to name it in messages. */
      fileName: z.string().max(255).optional(),
      as: sessionName.optional(),
    })
    .strict(),
  diffSessions: z.object({ a: sessionName, b: sessionName }).strict(),
} as const

export interface SessionCounts {
  readonly done: number
  readonly skipped: number
  readonly failed: number
  readonly pending: number
}

/** A session as `daxlab sessions list --json` describes it (SessionInfo in main/store/sessions). */
export interface SessionSummaryDto {
  readonly name: string
  readonly createdAt: string
  readonly note: string
  readonly state: 'complete' | 'incomplete'
  readonly runs: number
  readonly planned: number | null
  readonly items: SessionCounts
  readonly plan: unknown
  readonly matrixHash: string | null
}

export interface SessionCombination {
  readonly idx: number
  readonly scenario: string
  readonly profile: string
  readonly kernel: string
  readonly arch: string
  readonly variant: string
  readonly status: 'pending' | 'done' | 'skipped' | 'failed'
  readonly reason: string | null
  readonly runId: number | null
}

export interface SessionDetail {
  readonly info: SessionSummaryDto
  /** The sweep's combinations (first SESSION_ITEMS_LIMIT); empty for a session made by single runs. */
  readonly combinations: readonly SessionCombination[]
  readonly combinationsTotal: number
  /** The session's run ids in order (first SESSION_ITEMS_LIMIT). */
  readonly runIds: readonly number[]
}

export interface SweepOutcome {
  readonly session: string
  readonly done: number
  readonly failed: number
  readonly skipped: number
  /** Cancelled: the runs that finished stay stored, the session reads incomplete. */
  readonly cancelled: boolean
  readonly info: SessionSummaryDto
}

export interface ExportedArchive {
  /** A file name to offer: the session name made safe, `.daxlab`. */
  readonly fileName: string
  readonly runs: number
  readonly bytes: number
  readonly checksum: string
  /** The archive, base64. */
  readonly data: string
}

export interface ImportedArchive {
  readonly status: 'imported' | 'merged' | 'duplicate' | 'nothing-new'
  readonly session: string
  readonly runs: number
  readonly combinations: number
  /** The line `daxlab sessions import` prints. */
  readonly message: string
}

/** A changed run of the diff, with both stored run ids so the view can open them in the compare view. */
export type ChangedRunView = Omit<ChangedRun, 'steps'> & {
  readonly steps: ChangedRun['steps']
  readonly steps_total: number
  readonly a_id: number | null
  readonly b_id: number | null
}

/** `daxlab diff A --json` for two stored sessions, each changed run's step list capped at DIFF_STEPS_LIMIT. */
export type SessionDiffView = Omit<SessionDiff, 'changed'> & { readonly changed: readonly ChangedRunView[] }

export interface SessionResponses {
  listSessions: SessionSummaryDto[]
  getSession: SessionDetail
  runSweep: SweepOutcome
  exportSession: ExportedArchive
  importSession: ImportedArchive
  diffSessions: SessionDiffView
}
