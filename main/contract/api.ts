/**
 * The one contract between the renderer and the backend (GitHub Desktop's typed channel map): method
 * names, request payload schemas and response types. The preload exposes exactly these methods on a
 * frozen `window.lab`; the Electron main process and the web bridge validate every payload with the
 * schemas below before calling the services. Pure: types, zod schemas and constants only.
 */
import { z } from 'zod'
import { profileSchema, type Profile } from '../formats/profile'
import { EVENT_KIND_NAMES } from '../sim/events'
import type { BlockedTask, FolioResult, PgmapResult, RunResult, StepResult, Violation } from '../sim/result'
import { compareSchemas, type CompareResponses } from './compare'
import { MAX_REPLAY_CHOICES, exploreSchemas, patchEdits, type ExploreResponses } from './explore'
import { sessionSchemas, type SessionResponses } from './sessions'
import { traceSchemas, type TraceResponses } from './traces'

export interface RunSummary {
  readonly id: number
  readonly scenario: string
  readonly kernel: string
  readonly scheme: 'legacy' | 'refcounted'
  readonly arch: string
  readonly variant: string
  readonly profile: string
  readonly session: string | null
  /** ISO-8601 UTC. */
  readonly createdAt: string
  readonly steps: number
  readonly violations: number
  readonly blocked: number
  readonly events: number
}

export interface RunDetail {
  readonly summary: RunSummary
  readonly result: RunResult
  readonly scenarioText: string
}

export interface LibraryEntry {
  readonly name: string
  readonly description: string
  /** Scenarios: what the library groups them by (their first tag, else the name's first word: fsdax, devdax, ...). */
  readonly topic?: string
  /** Scenarios: the kernel sources they model (file and function). */
  readonly sources?: readonly string[]
  /** Scenarios: the kernel they name, if any. */
  readonly kernel?: string
  /** Built into the lab (read-only), or the user's own (saved in the store; the CLI sees it too). */
  readonly source?: 'builtin' | 'user'
  /** Profiles: the arch they are for. */
  readonly arch?: string
}

/** One hardware profile for the editor: the parsed profile (sizes in bytes) and its YAML. */
export interface ProfileDocument {
  readonly name: string
  readonly source: 'builtin' | 'user'
  readonly profile: Profile
  /** The YAML as saved (a user profile) or as shipped (a built-in): what Export writes. */
  readonly text: string
}

/** A problem in a document, as the editors mark it: the field path, the line when known, plain words. */
export interface DocumentIssue {
  /** `regions[0].mount`, `steps[3].gup.pages`; empty for the document as a whole. */
  readonly path: string
  readonly line?: number
  readonly message: string
}

/** A YAML text read as a profile (Import): the profile when it is valid, else its issues. */
export interface ParsedProfile {
  readonly profile?: Profile
  readonly issues: readonly DocumentIssue[]
}

/** A profile checked against a kernel release (the `daxlab profiles validate --kernel` rules). */
export interface ProfileCheck {
  readonly ok: boolean
  readonly kernel: string
  readonly arch: string
  readonly variant: string
  /** Why the kernel could not build this machine (no ZONE_DEVICE, a size or align the arch cannot map). */
  readonly problem?: string
  /** The field the problem is about, when it is one field (`regions[0].align`, `kernel`, `variant`). */
  readonly field?: string
}

/** A scenario text checked without running it (the scenario editor's diagnostics). */
export interface ScenarioCheck {
  /** The scenario's name when the text is valid. */
  readonly name?: string
  readonly issues: readonly DocumentIssue[]
}

export interface Deleted {
  readonly deleted: boolean
}

/** A scenario's text: a built-in's file, or what a stored run was made from. */
export interface ScenarioText {
  readonly name: string
  readonly text: string
  /** Characters in the whole text; `text` holds at most the request's `maxChars`. */
  readonly chars: number
  readonly truncated: boolean
}

export interface StartedRun {
  readonly runId: number
}

/**
 * One trace event as it crosses the boundary: the page-table value as a hex string (JSON has no 64-bit
 * integers), everything else as the store keeps it (TraceEvent in main/sim/events.ts).
 */
export interface TraceEventDto {
  readonly seq: number
  readonly step: number
  readonly task: string
  readonly kind: string
  readonly level: string
  readonly pfn: string
  readonly before: number
  readonly after: number
  readonly entry?: string
  readonly cause: string
}

/** Where a run started with a `jobId` is: poll it with runProgress, stop it with cancelRun. */
export interface RunProgress {
  readonly jobId: string
  readonly state: 'running' | 'saving' | 'done' | 'cancelled' | 'failed' | 'unknown'
  readonly done: number
  readonly total: number
}

/**
 * A run without its step list: what the run view shows first. Lists that can grow with the run
 * (violations, blocked tasks, folios) are capped at HEADER_LIST_LIMIT entries; the totals say how many
 * there are. Steps come a page at a time (getSteps), events too (getEvents), the chart's series from
 * getFolioSeries, so the renderer never holds a whole large run.
 */
export interface RunHeader {
  readonly summary: RunSummary
  readonly quirks: readonly string[]
  readonly violations: readonly Violation[]
  readonly violationsTotal: number
  readonly blocked: readonly BlockedTask[]
  readonly blockedTotal: number
  readonly folios: readonly FolioResult[]
  readonly foliosTotal: number
  readonly pgmaps: readonly PgmapResult[]
}

export const HEADER_LIST_LIMIT = 2000

/** One step as the run view lists it: the engine's result plus the arguments the scenario gave it. */
export interface StepRow extends StepResult {
  /** The step's arguments as written in the scenario (defaults not filled in). */
  readonly args: Readonly<Record<string, unknown>>
}

export interface StepsPage {
  /** Steps in the run. */
  readonly total: number
  readonly offset: number
  readonly steps: readonly StepRow[]
}

/** A folio that has count events in a run, for picking the one to chart. */
export interface FolioActivity {
  readonly pfn: string
  /** refcount, mapcount, pincount and wait events on this folio. */
  readonly events: number
  readonly maxRefcount: number
  readonly maxMapcount: number
  readonly maxPincount: number
}

export interface FolioList {
  /** Folios with events, busiest first, at most the request's `limit`. */
  readonly folios: readonly FolioActivity[]
  readonly total: number
  /** The folio the chart opens on: the first violation's folio, else the one the run ends with most references on, else the busiest. */
  readonly suggested: string | null
}

/**
 * One folio's counts over the steps of a run, as points where something changed: `steps[i]` is the
 * step after which the counts were `refcount[i]`, `mapcount[i]`, ... (a stepped line). When the run has
 * more change points than `maxPoints`, main folds them into buckets of equal step width and keeps each
 * count's peak in a bucket (`downsampled`), so short-lived pins and references stay visible.
 */
export interface FolioSeries {
  readonly pfn: string
  /** The dev_pagemap whose percpu_ref `pgmapRefs` follows (the folio's region), or null. */
  readonly pgmap: string | null
  readonly totalSteps: number
  readonly downsampled: boolean
  readonly steps: readonly number[]
  readonly refcount: readonly number[]
  readonly mapcount: readonly number[]
  readonly pincount: readonly number[]
  readonly pgmapRefs: readonly number[] | null
  /** Steps at which a task started waiting on this folio. */
  readonly waits: readonly number[]
  /** Steps of the run's violations on this folio (or with no folio). */
  readonly violations: readonly number[]
}

const name = z.string().min(1).max(200)

/** The longest scenario text a request may carry (`runScenario.source`), in characters. */
export const MAX_SOURCE_CHARS = 16 * 1024 * 1024
/**
 * The web bridge's body limit, derived from the schema's: a source at MAX_SOURCE_CHARS still fits when
 * JSON escaping doubles it (newlines and quotes become two characters), plus room for the other
 * fields. So a request the schema would accept is never refused for its size, and one it would refuse
 * gets the schema's error naming the field.
 */
export const MAX_BODY_BYTES = 2 * MAX_SOURCE_CHARS + 64 * 1024
/** The header carrying the web bridge's per-launch token (lower case, as Node hands headers over). */
export const TOKEN_HEADER = 'x-daxlab-token'
/** A method without arguments takes no payload, or `{}` (the docs say every method takes a JSON body). */
const noArguments = z.object({}).strict().optional()
/** A page frame number as text: `0x240000` or `2359296`. */
const pfnText = z.string().regex(/^(0x[0-9a-fA-F]{1,14}|[0-9]{1,16})$/, 'a pfn in hex (0x240000) or decimal')

export const requestSchemas = {
  listRuns: z
    .object({ session: name.optional(), scenario: name.optional(), kernel: name.optional(), limit: z.number().int().min(1).max(10000).optional() })
    .strict()
    .optional(),
  getRun: z.object({ id: z.number().int().min(1) }).strict(),
  listScenarios: noArguments,
  listProfiles: noArguments,
  runScenario: z
    .object({
      /** A built-in scenario name; ignored when `source` is given. */
      scenario: name,
      /** The scenario's YAML/JSON text, for scenarios that are not built in. */
      source: z.string().min(1).max(MAX_SOURCE_CHARS).optional(),
      kernel: name,
      /** A built-in hardware profile to run on instead of the one the scenario names. */
      profile: name.optional(),
      arch: name.optional(),
      variant: name.optional(),
      session: name.optional(),
      /** `+name,-name` edits over the release's patch preset (`daxlab run --patches`). */
      patches: patchEdits.optional(),
      /**
       * A scenario with `concurrent:`: the task of each atomic step to run first, then round-robin (a
       * schedule file's `choices`, `daxlab run --schedule`; an explorer counterexample's `choices`).
       */
      schedule: z.array(name).max(MAX_REPLAY_CHOICES, `at most ${MAX_REPLAY_CHOICES} choices`).optional(),
      /** Chosen by the caller so it can poll progress and cancel while the run is in flight. */
      jobId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (at most 64)').optional(),
    })
    .strict(),
  getEvents: z
    .object({
      id: z.number().int().min(1),
      kinds: z.array(z.enum(EVENT_KIND_NAMES as [string, ...string[]])).max(EVENT_KIND_NAMES.length).optional(),
      fromSeq: z.number().int().min(0).optional(),
      step: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(5000).optional(),
      /** Only events of this task (its name). */
      task: name.optional(),
      /** Only events on this pfn (hex `0x...` or decimal). */
      pfn: pfnText.optional(),
    })
    .strict(),
  getRunHeader: z.object({ id: z.number().int().min(1) }).strict(),
  getSteps: z
    .object({
      id: z.number().int().min(1),
      offset: z.number().int().min(0).optional(),
      limit: z.number().int().min(1).max(2000).optional(),
    })
    .strict(),
  listFolios: z.object({ id: z.number().int().min(1), limit: z.number().int().min(1).max(5000).optional() }).strict(),
  getFolioSeries: z
    .object({
      id: z.number().int().min(1),
      /** Default: the suggested folio of listFolios. */
      pfn: pfnText.optional(),
      maxPoints: z.number().int().min(16).max(20000).optional(),
    })
    .strict(),
  getScenarioText: z.object({ name }).strict(),
  getRunScenario: z.object({ id: z.number().int().min(1), maxChars: z.number().int().min(1).max(MAX_SOURCE_CHARS).optional() }).strict(),
  runProgress: z.object({ jobId: z.string().min(1).max(64) }).strict(),
  cancelRun: z.object({ jobId: z.string().min(1).max(64) }).strict(),
  ...compareSchemas,
  ...sessionSchemas,
  ...exploreSchemas,
  ...traceSchemas,
  /** A built-in or user profile, by name. */
  getProfile: z.object({ name }).strict(),
  /** Saves a user profile under its `name`; `replace` overwrites the user's own profile of that name (never a built-in). */
  saveProfile: z.object({ profile: profileSchema, replace: z.boolean().optional() }).strict(),
  deleteProfile: z.object({ name }).strict(),
  /** Checks a profile against a kernel (and arch/variant other than its own), as `daxlab profiles validate --kernel`. */
  checkProfile: z.object({ profile: profileSchema, kernel: name, arch: name.optional(), variant: name.optional() }).strict(),
  /** Reads a YAML/JSON text as a profile (Import): nothing is saved. */
  parseProfile: z.object({ text: z.string().min(1).max(MAX_SOURCE_CHARS) }).strict(),
  /** Validates a scenario text without running or saving it. */
  checkScenario: z.object({ text: z.string().min(1).max(MAX_SOURCE_CHARS) }).strict(),
  /** Saves a scenario text as a user scenario under its `name:`; `replace` overwrites the user's own of that name. */
  saveScenario: z.object({ text: z.string().min(1).max(MAX_SOURCE_CHARS), replace: z.boolean().optional() }).strict(),
  deleteScenario: z.object({ name }).strict(),
} as const

export type LabMethod = keyof typeof requestSchemas
export type LabRequest<M extends LabMethod> = z.input<(typeof requestSchemas)[M]>

export interface LabResponses extends CompareResponses, SessionResponses, ExploreResponses, TraceResponses {
  listRuns: RunSummary[]
  getRun: RunDetail | null
  listScenarios: LibraryEntry[]
  listProfiles: LibraryEntry[]
  runScenario: StartedRun
  getEvents: TraceEventDto[]
  getRunHeader: RunHeader | null
  getSteps: StepsPage
  listFolios: FolioList
  getFolioSeries: FolioSeries
  getScenarioText: ScenarioText
  getRunScenario: ScenarioText
  runProgress: RunProgress
  cancelRun: RunProgress
  getProfile: ProfileDocument
  saveProfile: LibraryEntry
  deleteProfile: Deleted
  checkProfile: ProfileCheck
  parseProfile: ParsedProfile
  checkScenario: ScenarioCheck
  saveScenario: LibraryEntry
  deleteScenario: Deleted
}

/** What `window.lab` offers: one async method per contract entry. */
export type LabApi = { [M in LabMethod]: (request: LabRequest<M>) => Promise<LabResponses[M]> }

export const LAB_METHODS = Object.keys(requestSchemas) as LabMethod[]

/** The methods of the user's library (profiles and scenarios saved in the store), answered by main/services/profiles.ts. */
export const LIBRARY_METHODS = ['getProfile', 'saveProfile', 'deleteProfile', 'checkProfile', 'parseProfile', 'checkScenario', 'saveScenario', 'deleteScenario'] as const satisfies readonly LabMethod[]
export type LibraryMethod = (typeof LIBRARY_METHODS)[number]

/**
 * A frozen object with one entry per contract method, each made by `make`. The preload, both renderer
 * transports and the service host build their method tables this way, so none can miss a method.
 */
export function labMethodTable<F>(make: (method: LabMethod) => F): Readonly<Record<LabMethod, F>> {
  return Object.freeze(Object.fromEntries(LAB_METHODS.map((method) => [method, make(method)])) as Record<LabMethod, F>)
}

/** IPC channel names all start with this prefix; the preload allows nothing else. */
export const CHANNEL_PREFIX = 'lab:'
export function channelOf(method: LabMethod): string {
  return CHANNEL_PREFIX + method
}

/** Errors cross the boundary as data: the renderer shows `message`; `field` names the bad payload field. */
export interface LabErrorData {
  readonly code: 'invalid_request' | 'not_found' | 'failed' | 'cancelled'
  readonly message: string
  readonly field?: string
}
