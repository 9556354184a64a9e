/**
 * Packs a slice of the columnar event log into one chunk BLOB and back. A chunk keeps the log's
 * columnar layout (each column's bytes concatenated) so packing is a handful of typed-array copies and
 * unpacking is a handful of views: no per-event work on the write path except the chunk summary.
 *
 * Byte layout (docs/store.md#chunk-format-version-1), little-endian on disk whatever the host:
 *
 *   offset  size  field
 *   0       4     magic 'DXEV'
 *   4       1     format version (1)
 *   5       1     flags (0; reserved, e.g. for a compressed body)
 *   6       2     reserved (0)
 *   8       4     n, events in the chunk (u32)
 *   12      4     reserved (0)
 *   16      8n    entry  u64      ─┐ columns ordered by element width, widest first, so that with a
 *           8n    pfn    f64       │ 16-byte header every column starts aligned to its own width and
 *           8n    before f64       │ can be viewed in place (no copy) when the buffer itself is
 *           8n    after  f64       │ 8-byte aligned.
 *           4n    step   i32       │
 *           2n    task   u16       │ task and cause index the run's string tables (run_strings)
 *           2n    cause  u16       │
 *           n     kind   u8        │
 *           n     level  u8       ─┘
 *   total   16 + 42n bytes
 */
import { decodeColumns, flatRange, type ColumnArrays, type EventColumns, type EventRange } from '../sim/events'

export const CHUNK_MAGIC = 0x56455844 // 'DXEV' read as a little-endian u32
export const CHUNK_VERSION = 1
export const CHUNK_HEADER_BYTES = 16
export const BYTES_PER_EVENT = 42
/** Events per chunk: ~168 KiB BLOBs, large enough to amortise per-row cost, small enough to page through. */
export const DEFAULT_CHUNK_EVENTS = 4096
/** Bit set in a chunk's kinds mask for any kind number >= 31 (none exist today; keeps the mask a 32-bit value). */
export const KIND_OVERFLOW_BIT = 31

type ColumnName = Exclude<keyof EventColumns, 'count'>
type Column = EventColumns[ColumnName]

/** On-disk order and element width of each column. */
const LAYOUT: readonly (readonly [ColumnName, number])[] = [
  ['entry', 8],
  ['pfn', 8],
  ['before', 8],
  ['after', 8],
  ['step', 4],
  ['task', 2],
  ['cause', 2],
  ['kind', 1],
  ['level', 1],
]

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

export interface PackedChunk {
  readonly data: Uint8Array
  readonly count: number
  readonly stepMin: number
  readonly stepMax: number
  /** Bit k set when the chunk holds an event of kind k: lets queries skip chunks without unpacking. */
  readonly kinds: number
}

/** The bytes of a chunk of `count` events. */
export function chunkBytes(count: number): number {
  return CHUNK_HEADER_BYTES + BYTES_PER_EVENT * count
}

/**
 * Packs events [start, start + count) of the log. `source` is the engine's log (it writes the range
 * straight into the chunk's column views) or flat columns. Throws RangeError if it holds fewer events.
 *
 * `into`, a buffer of at least chunkBytes(count) bytes, is packed into (and the chunk's data is a view
 * of its start) instead of a new one: for a writer that stores each chunk before it packs the next
 * (prepared-run.ts eventChunks). The chunk's bytes are the same either way.
 */
export function packChunk(source: EventColumns | EventRange, start: number, count: number, into?: ArrayBuffer): PackedChunk {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count <= 0) {
    throw new RangeError(`bad event slice [${start}, ${start + count})`)
  }
  const range = 'writeRange' in source ? source : flatRange(source)
  const size = chunkBytes(count)
  if (into !== undefined && into.byteLength < size) throw new RangeError(`a chunk of ${count} events needs ${size} bytes; the buffer has ${into.byteLength}`)
  // A reused buffer is zeroed first, as a new one is: the log writes only the entries that exist
  // (EventLog.writeRange), and the header's flags and reserved fields are zero.
  const buffer = into ?? new ArrayBuffer(size)
  if (into !== undefined) new Uint8Array(into, 0, size).fill(0)
  const header = new DataView(buffer, 0, CHUNK_HEADER_BYTES)
  header.setUint32(0, CHUNK_MAGIC, true)
  header.setUint8(4, CHUNK_VERSION)
  header.setUint32(8, count, true)
  const views: Partial<Record<ColumnName, Column>> = {}
  let offset = CHUNK_HEADER_BYTES
  for (const [name, width] of LAYOUT) {
    views[name] = viewOf(name, buffer, offset, count)
    offset += width * count
  }
  const cols = views as ColumnArrays
  range.writeRange(start, start + count, cols)
  let stepMin = Infinity
  let stepMax = -Infinity
  const step = cols.step
  for (let i = 0; i < count; i++) {
    const s = step[i]!
    if (s < stepMin) stepMin = s
    if (s > stepMax) stepMax = s
  }
  // Kinds are few; a 256-entry presence table is cheaper than shifting per event.
  const seen = new Uint8Array(256)
  const kind = cols.kind
  for (let i = 0; i < count; i++) seen[kind[i]!] = 1
  let kinds = 0
  for (let k = 0; k < 256; k++) if (seen[k]) kinds |= 1 << Math.min(k, KIND_OVERFLOW_BIT)
  // Summaries read the host-order views; a big-endian host swaps each column to disk order last.
  if (!HOST_LITTLE_ENDIAN) {
    offset = CHUNK_HEADER_BYTES
    for (const [, width] of LAYOUT) {
      swapBytes(new Uint8Array(buffer, offset, width * count), width)
      offset += width * count
    }
  }
  return { data: new Uint8Array(buffer, 0, size), count, stepMin, stepMax, kinds: kinds >>> 0 }
}

/** The columns of one chunk, viewed in place when possible. */
export function unpackChunk(data: Uint8Array): EventColumns {
  if (data.byteLength < CHUNK_HEADER_BYTES) throw new Error(`event chunk is ${data.byteLength} bytes, shorter than its header`)
  const header = new DataView(data.buffer, data.byteOffset, CHUNK_HEADER_BYTES)
  const magic = header.getUint32(0, true)
  if (magic !== CHUNK_MAGIC) throw new Error(`event chunk has magic 0x${magic.toString(16)}, expected 0x${CHUNK_MAGIC.toString(16)}`)
  const version = header.getUint8(4)
  if (version !== CHUNK_VERSION) throw new Error(`event chunk format version ${version} is not supported (this build reads ${CHUNK_VERSION})`)
  if (header.getUint8(5) !== 0) throw new Error(`event chunk flags 0x${header.getUint8(5).toString(16)} are not supported`)
  const count = header.getUint32(8, true)
  if (data.byteLength !== CHUNK_HEADER_BYTES + BYTES_PER_EVENT * count) {
    throw new Error(`event chunk is ${data.byteLength} bytes; ${count} events need ${CHUNK_HEADER_BYTES + BYTES_PER_EVENT * count}`)
  }
  // SQLite hands back BLOBs at arbitrary offsets; typed views need alignment, so copy when it is off.
  // A big-endian host copies too, since it swaps in place.
  const bytes = data.byteOffset % 8 === 0 && HOST_LITTLE_ENDIAN ? data : data.slice()
  const out: Partial<Record<ColumnName, Column>> = {}
  let offset = bytes.byteOffset + CHUNK_HEADER_BYTES
  for (const [name, width] of LAYOUT) {
    if (!HOST_LITTLE_ENDIAN) swapBytes(new Uint8Array(bytes.buffer, offset, width * count), width)
    out[name] = viewOf(name, bytes.buffer as ArrayBuffer, offset, count)
    offset += width * count
  }
  return { count, ...(out as Record<ColumnName, Column>) } as EventColumns
}

/** Decodes event i of a chunk exactly as EventLog.decode does (the same function). */
export const decodeEvent = decodeColumns

/** Reverses the byte order of each `width`-byte element in place (used only on big-endian hosts). */
export function swapBytes(bytes: Uint8Array, width: number): void {
  if (width === 1) return
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let a = i, b = i + width - 1; a < b; a++, b--) {
      const t = bytes[a]!
      bytes[a] = bytes[b]!
      bytes[b] = t
    }
  }
}

function viewOf(name: ColumnName, buffer: ArrayBuffer, offset: number, count: number): Column {
  switch (name) {
    case 'entry':
      return new BigUint64Array(buffer, offset, count)
    case 'pfn':
    case 'before':
    case 'after':
      return new Float64Array(buffer, offset, count)
    case 'step':
      return new Int32Array(buffer, offset, count)
    case 'task':
    case 'cause':
      return new Uint16Array(buffer, offset, count)
    case 'kind':
    case 'level':
      return new Uint8Array(buffer, offset, count)
  }
}
