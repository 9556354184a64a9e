/**
 * The CPU half of saving a run: everything saveRun writes, encoded, packed and checksummed, with no
 * database in sight. TraceStore.saveRun prepares then writes on one thread; a sweep prepares on its
 * pool workers and only writes on the main thread (docs/adr/0008-sessions-and-archives.md), because
 * encoding the result, packing step records and event chunks and their CRCs cost the main thread more
 * than the simulations cost the workers (measured: the main thread was the sweep's bottleneck).
 *
 * The values are exactly what saveRun has always written: one function computes them for both paths.
 */
import type { Profile } from '../formats/profile'
import type { EventColumns, EventRange } from '../sim/events'
import { folioSourceOf, listSource, stepSourceOf, type RangeSource, type RunResult } from '../sim/result'
import { eventChunkChecksum, recordChunkChecksum, runChecksum, type RunRowFields } from './checksum'
import { chunkBytes, packChunk } from './event-codec'
import { PackBuffer, packRecords } from './record-codec'
import { canonicalJson, encodeResult, gzipResultJson, sha256, type ResultCodec } from './result-codec'
import { folioListJson } from './folio-json'

/** The runs row's own columns (the ids it references are resolved when it is written; layout is 2). */
export type PreparedRunRow = Omit<RunRowFields, 'layout' | 'result_codec'> & { readonly result_codec: ResultCodec }

export interface PreparedRecordChunk {
  readonly kind: 'steps' | 'violations'
  readonly no: number
  readonly first: number
  readonly count: number
  readonly checksum: number
  readonly data: Uint8Array
}

export interface PreparedEventChunk {
  readonly no: number
  readonly first: number
  readonly count: number
  readonly stepMin: number
  readonly stepMax: number
  readonly kinds: number
  readonly checksum: number
  readonly data: Uint8Array
}

/** What a run's row refers to: known before the run starts (a streamed save writes it first). */
export interface PreparedRunHead {
  readonly session?: string
  readonly scenario: string
  readonly scenarioText: string
  readonly scenarioHash: string
  readonly profile: { readonly hash: string; readonly name: string | null; readonly arch: string; readonly body: string }
}

/** What is known once the run has finished: its row, checksum, records and string tables. */
export interface PreparedRunTail {
  readonly row: PreparedRunRow
  readonly checksum: number
  readonly violationKinds: ReadonlyArray<readonly [string, number]>
  readonly tasks: readonly string[]
  readonly causes: readonly string[]
  readonly records: readonly PreparedRecordChunk[]
}

export interface PreparedRun extends PreparedRunHead, PreparedRunTail {
  /**
   * The event chunks: an array when they were packed ahead (a worker posts them back), or a generator
   * that packs each one as the writer asks for it, so an in-process save never holds two copies of a
   * big run's events. prepareRun's generator packs every chunk into one buffer (eventChunks `'one'`):
   * write each chunk before taking the next, and keep none.
   */
  readonly events: Iterable<PreparedEventChunk>
}

export interface PrepareInput {
  readonly result: RunResult
  /** The events: the engine's log itself (packed straight from it) or flat columns. */
  readonly columns: EventColumns | EventRange
  readonly tasks: readonly string[]
  readonly causes: readonly string[]
  readonly scenarioText: string
  readonly profile: Profile
  readonly session?: string
}

export interface PrepareOptions {
  readonly chunkEvents: number
  readonly chunkRecords: number
  /** Pack every event chunk now (for a worker to post back) instead of on demand. */
  readonly packEventsNow?: boolean
}

/**
 * Where eventChunks packs each chunk: into a new buffer ('new'); into one buffer for all ('one': a
 * chunk's data is valid only until the next chunk is taken); or into a buffer from a supplier, given
 * the bytes the chunk needs, and a new one when it has none (a streamed save's writer thread hands
 * written chunks' buffers back, run-writer/host.ts).
 */
export type ChunkBuffers = 'new' | 'one' | ((bytes: number) => ArrayBuffer | undefined)

/**
 * Packs the events of `cols` (flat columns or the engine's log) chunk by chunk, each with its checksum. `firstSeq` is the run-wide index of
 * cols' first event and `firstNo` its chunk number: a streamed save packs a run slice by slice, each
 * slice starting on a chunk boundary, and gets exactly the chunks a whole-run pack gives.
 *
 * `buffers` 'one' is for a consumer that writes each chunk before it asks for the next (saveRun's
 * transaction; SQLite copies a BLOB when it is bound). A new 168 KiB buffer per chunk made a big
 * save allocate as many bytes as it wrote (23 MB for the bench's mix), and V8 answered that external
 * memory with full mark-compact collections of the whole heap, ~10 ms each, every few chunks; and
 * fresh memory costs its page faults on first write (on this machine 136 new chunk buffers took
 * 56-88 ms to fill, reused ones under 1 ms).
 */
export function* eventChunks(cols: EventColumns | EventRange, chunkEvents: number, firstSeq = 0, firstNo = 0, buffers: ChunkBuffers = 'new'): Generator<PreparedEventChunk> {
  const one = buffers === 'one' && cols.count > 0 ? new ArrayBuffer(chunkBytes(Math.min(chunkEvents, cols.count))) : undefined
  const supply = typeof buffers === 'function' ? buffers : undefined
  for (let start = 0, no = firstNo; start < cols.count; start += chunkEvents, no++) {
    const count = Math.min(chunkEvents, cols.count - start)
    const chunk = packChunk(cols, start, count, one ?? supply?.(chunkBytes(count)))
    const first = firstSeq + start
    const checksum = eventChunkChecksum(first, chunk.count, chunk.stepMin, chunk.stepMax, chunk.kinds, chunk.data)
    yield { no, first, count: chunk.count, stepMin: chunk.stepMin, stepMax: chunk.stepMax, kinds: chunk.kinds, checksum, data: chunk.data }
  }
}

/** What the result row holds under `key`: steps and violations are packed in run_records, so an empty list in their places (never reading `steps`). */
function rowValue(result: RunResult, key: string): unknown {
  return key === 'steps' || key === 'violations' ? [] : result[key as keyof RunResult]
}

/** The result as its row holds it (rowValue of every key), made without reading `steps`. */
function withEmptyLists(result: RunResult): RunResult {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(result)) out[key] = rowValue(result, key)
  return out as unknown as RunResult
}

/**
 * Folio lists at least this long are written from the engine's columns. Their JSON is then surely
 * past GZIP_THRESHOLD (a folio's text is at least 74 characters), so the row is gzipped whichever
 * way it is written, and only the bytes differ in how they are made.
 */
const COLUMN_FOLIOS = 256

/**
 * The result row: encodeResult() of the result without its steps and violations. An engine result
 * whose folio list has not been made and is long (a device DAX run touches tens of thousands) has
 * that list written as JSON bytes from the engine's columns (folio-json.ts) between the JSON of the
 * keys before and after it, key by key: `JSON.stringify({ [key]: value })` is `{"key":value}`, or
 * `{}` where JSON leaves the value out, so the insides joined are the text JSON.stringify gives
 * (ADR 0035). The bytes gzipped are the same, so the row is too.
 */
export function encodeResultRow(result: RunResult): { codec: ResultCodec; data: string | Buffer } {
  const folios = folioSourceOf(result)
  if (folios === undefined || folios.count < COLUMN_FOLIOS) return encodeResult(withEmptyLists(result))
  const before: string[] = []
  const after: string[] = []
  let seen = false
  for (const key of Object.keys(result)) {
    if (key === 'folios') {
      seen = true
      continue
    }
    const one = JSON.stringify({ [key]: rowValue(result, key) })
    if (one.length > 2) (seen ? after : before).push(one.slice(1, -1))
  }
  const head = Buffer.from('{' + before.join(',') + (before.length > 0 ? ',' : '') + '"folios":')
  const tail = Buffer.from((after.length > 0 ? ',' : '') + after.join(',') + '}')
  return { codec: 'gzip', data: gzipResultJson(folioListJson(folios.columns(), head, tail)) }
}

function recordChunks(kind: 'steps' | 'violations', records: RangeSource<object>, chunkRecords: number, buf: PackBuffer): PreparedRecordChunk[] {
  const out: PreparedRecordChunk[] = []
  for (let first = 0, no = 0; first < records.count; first += chunkRecords, no++) {
    const count = Math.min(chunkRecords, records.count - first)
    const classes = records.classes?.(first, count)
    // Stand-ins for classed results where the source has them, each made whole only if the packer asks.
    const standIns = classes !== undefined ? records.standIns?.(first, count, classes) : undefined
    const items = standIns ?? records.range(first, count)
    const whole = standIns !== undefined ? (r: number) => records.range(first + r, 1)[0]! : undefined
    // A copy: packRecords returns a view of the reused buffer, valid only until its next call.
    const data = packRecords(items, 0, count, buf, first, classes, whole).slice()
    out.push({ kind, no, first, count, checksum: recordChunkChecksum(kind, first, count, data), data })
  }
  return out
}

export function prepareHead(input: { readonly scenario: string; readonly scenarioText: string; readonly profile: Profile; readonly session?: string }): PreparedRunHead {
  const profileBody = canonicalJson(input.profile)
  return {
    session: input.session,
    scenario: input.scenario,
    scenarioText: input.scenarioText,
    scenarioHash: sha256(input.scenarioText),
    profile: { hash: sha256(profileBody), name: input.profile.name ?? null, arch: input.profile.arch, body: profileBody },
  }
}

/**
 * The packing area of prepareTail, kept between runs (a sweep prepares ~1000 in a row): each record
 * chunk is copied out of it (recordChunks), so no caller ever holds a view of it, and a fresh 64 KiB
 * buffer per run was garbage for every run (ADR 0025).
 */
const tailBuffer = new PackBuffer()

export function prepareTail(result: RunResult, eventCount: number, tasks: readonly string[], causes: readonly string[], chunkRecords: number): PreparedRunTail {
  if (result.events !== eventCount) throw new Error(`the run result counts ${result.events} events but the trace holds ${eventCount}`)
  // The result row keeps everything but steps and violations, which go packed into run_records;
  // the empty arrays hold their keys' places so the rebuilt result has the original key order. The
  // copy never reads `steps`: an engine result makes them only when read (main/sim/settled-steps.ts),
  // and they are packed from its StepSource below, a chunk at a time.
  const steps = stepSourceOf(result)
  const encoded = encodeResultRow(result)
  const row: PreparedRunRow = {
    kernel: result.kernel,
    scheme: result.scheme,
    quirks: JSON.stringify(result.quirks),
    arch: result.arch,
    variant: result.variant,
    created_at: new Date().toISOString(),
    steps: steps.count,
    violations: result.violations.length,
    blocked: result.blocked.length,
    events: eventCount,
    result_codec: encoded.codec,
    result: encoded.data,
  }
  const violationKinds = new Map<string, number>()
  for (const v of result.violations) violationKinds.set(v.kind, (violationKinds.get(v.kind) ?? 0) + 1)
  const buf = tailBuffer
  return {
    row,
    checksum: runChecksum({ ...row, layout: 2, tasks, causes }),
    violationKinds: [...violationKinds],
    tasks,
    causes,
    records: [...recordChunks('steps', steps, chunkRecords, buf), ...recordChunks('violations', listSource(result.violations), chunkRecords, buf)],
  }
}

export function prepareRun(input: PrepareInput, options: PrepareOptions): PreparedRun {
  const { result, columns } = input
  const tail = prepareTail(result, columns.count, input.tasks, input.causes, options.chunkRecords)
  // Packed now for a worker to post, or one at a time into one buffer as the writer asks.
  const events = options.packEventsNow ? [...eventChunks(columns, options.chunkEvents)] : eventChunks(columns, options.chunkEvents, 0, 0, 'one')
  return { ...prepareHead({ ...input, scenario: result.scenario }), ...tail, events }
}

/** The buffers a worker can hand over without copying (each chunk owns its ArrayBuffer). */
export function transferablesOf(run: PreparedRun): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>()
  const add = (data: Uint8Array | string) => {
    if (typeof data !== 'string' && data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) out.add(data.buffer)
  }
  add(run.row.result)
  for (const r of run.records) add(r.data)
  if (Array.isArray(run.events)) for (const e of run.events as PreparedEventChunk[]) add(e.data)
  return [...out]
}
