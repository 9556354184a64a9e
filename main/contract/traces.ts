/**
 * The traces view's part of the contract (main/contract/api.ts spreads it in): an ftrace log uploaded
 * as bytes (the web transport; the page never names a path), imported as a run of kind `trace` with
 * progress and cancel (runProgress / cancelRun with its jobId), and checked against the model's rules
 * for the chosen kernel, each finding with its trace line (docs/trace-import.md#in-the-app). In the
 * desktop app the file is picked in main's native dialog instead (main/contract/files.ts importTraceFile).
 * Pure: types, zod schemas and constants only.
 */
import { z } from 'zod'

/**
 * The largest trace one upload carries, as base64 characters: 32 Mi characters (24 MiB of file), which
 * fits the web bridge's body limit. Bigger traces: `daxlab import-trace FILE` (no limit, streamed).
 */
export const MAX_TRACE_BASE64_CHARS = 32 * 1024 * 1024
/** Findings one answer lists (the count says how many there are). */
export const TRACE_FINDINGS_LIMIT = 500
/** Skipped lines one answer lists. */
export const TRACE_SKIPPED_LIMIT = 200

const label = z.string().min(1).max(200)
const jobId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (at most 64)')

/**
 * What an import takes besides the file: shared by the upload (importTrace) and the desktop's native
 * dialog (main/contract/files.ts importTraceFile, where main picks the file and the page sends only these).
 */
export const traceImportOptionsShape = {
  /** The run's name (scenario `trace:NAME`); default the file name. */
  name: label.optional(),
  session: label.optional(),
  /** The kernel the trace was recorded on; the check runs its rules (none without a kernel). */
  kernel: label.optional(),
  arch: label.optional(),
  /** --fsdax-pfns: the FS DAX namespaces' pfns, `0x240000-0x27ffff,0x300000`. */
  fsdaxPfns: z.string().min(1).max(4096).optional(),
  jobId: jobId.optional(),
} as const

export type TraceImportOptions = z.input<z.ZodObject<typeof traceImportOptionsShape>>

export const traceSchemas = {
  importTrace: z
    .object({
      /** The trace file's bytes (text, gzip or xz), base64. */
      data: z
        .string()
        .min(1, 'the trace file is empty')
        .max(MAX_TRACE_BASE64_CHARS, `a trace of at most ${MAX_TRACE_BASE64_CHARS} base64 characters (24 MiB) can be uploaded; import bigger ones with daxlab import-trace FILE`)
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64'),
      /** The file's name: the run's default name, and how messages name the file. */
      fileName: z.string().min(1).max(255),
      ...traceImportOptionsShape,
    })
    .strict(),
} as const

export interface TraceFindingDto {
  readonly rule: string
  readonly line: number
  readonly pfn: string
  readonly message: string
  /** The trace line as it was in the file (cut at 500 characters), or undefined when it was not read back. */
  readonly text?: string
}

export interface TraceImportResult {
  readonly runId: number
  readonly lines: number
  readonly events: number
  readonly skipped: readonly { readonly line: number; readonly reason: string }[]
  /** Skipped lines beyond the ones listed. */
  readonly skippedMore: number
  /** The kernel the check ran for; undefined when none was given (then no check ran). */
  readonly kernel?: string
  readonly scheme?: 'legacy' | 'refcounted'
  readonly consistent?: boolean
  readonly findings: readonly TraceFindingDto[]
  readonly findingsTotal: number
}

export interface TraceResponses {
  importTrace: TraceImportResult
}
