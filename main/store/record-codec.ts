/**
 * Packs a run's step results and violations (plain JSON-like records) into chunk BLOBs and back, so
 * saveRun writes a few BLOBs instead of one SQLite row per step and per violation, and the run's
 * result is not kept twice (once as rows, once inside one big JSON).
 *
 * The round trip is exact for anything JSON can carry: `JSON.stringify(unpack(pack(xs)))` equals
 * `JSON.stringify(xs)` byte for byte, because each record keeps its own key order (its "shape") and
 * every value is stored as JSON would print it (undefined-valued keys dropped, non-finite numbers as
 * null, nested objects and arrays as their JSON text). `daxlab runs show --json` relies on that.
 *
 * Byte layout, version 2 (docs/store.md#record-chunks), little-endian:
 *
 *   offset  size  field
 *   0       4     magic 'DXRC'
 *   4       1     format version (2; 1 is still read)
 *   5       3     reserved (0)
 *   8       4     n, records in the chunk
 *   12      4     S, strings in the string table
 *   16      4     K, shapes
 *   20      4     B, bytes of UTF-8 string text
 *   24      4     F, the chunk's first record number (version 2 only)
 *   28      4S    length of each string in UTF-16 code units
 *           B     the strings' text, concatenated, UTF-8
 *           4K    string index of each shape (its keys as a JSON array)
 *           ...   n records, each either
 *                 - u32 shape index (high bit clear), then per key a tag byte and its payload
 *                   (TAG_* below: none, u32 string index, i32, f64, or a u32 count and that many
 *                   u32 string indexes), or
 *                 - u32 TEMPLATE | t (version 2): the same values as record t of this chunk, which
 *                   is one of the first kind, except that a number equal to F + t is F + this
 *                   record's position. Step results mostly repeat a handful of records but for
 *                   their `index`, which counts with the position: a 4-byte reference instead of
 *                   ~33 bytes (3.9 MB of the bench's 120k step results became ~0.5 MB).
 */
export const RECORD_MAGIC = 0x43525844 // 'DXRC' read as a little-endian u32
export const RECORD_VERSION = 2
/** Chunks written before templates (schema 6 and earlier), read as ever. */
const RECORD_VERSION_1 = 1
const HEADER_BYTES_V1 = 24
const HEADER_BYTES = 28
/** The high bit of a record's first u32: a template reference, not a shape index. */
const TEMPLATE = 0x80000000

const TAG_NULL = 0
const TAG_FALSE = 1
const TAG_TRUE = 2
const TAG_INT = 3
const TAG_FLOAT = 4
const TAG_STRING = 5
/** An object or array, stored as its JSON text in the string table. */
const TAG_JSON = 6
/** An array of strings: u32 length, then a u32 string index per element. */
const TAG_STRINGS = 7

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/**
 * A growable byte buffer reused across chunks and runs: packing a chunk allocates nothing once the
 * buffer has grown to the largest chunk. SQLite copies bound BLOBs, so reuse after a bind is safe.
 */
export class PackBuffer {
  bytes = new Uint8Array(1 << 16)
  view = new DataView(this.bytes.buffer)
  length = 0

  reserve(extra: number): void {
    const need = this.length + extra
    if (need <= this.bytes.length) return
    let size = this.bytes.length
    while (size < need) size *= 2
    const next = new Uint8Array(size)
    next.set(this.bytes.subarray(0, this.length))
    this.bytes = next
    this.view = new DataView(next.buffer)
  }
}

const RECENT_SHAPES = 4
/** Strings up to this many UTF-16 units are interned; longer ones are stored as they come. */
const INTERN_MAX = 48

function isStringList(v: unknown): v is string[] {
  if (!Array.isArray(v)) return false
  // A hole or a non-string element needs JSON's own rendering (holes print as null).
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false
  return true
}

/**
 * Full records remembered as templates, most recently used first. Eight covers the bench mix's
 * cycle of ops, tasks and outcomes; each miss costs a comparison that mostly fails at the first value.
 */
const RECENT_TEMPLATES = 8

/** A full record packRecords may refer back to: its position in the chunk, shape and kept values. */
interface Template {
  pos: number
  shape: number
  n: number
  values: unknown[]
  /** The class the caller gave its record (packRecords' `classes`), 0 for none. */
  cls: number
}

/**
 * A value as a template keeps it: what JSON prints for a number that is not finite (null), a list of
 * strings as it is. undefined for anything else (an object, or a list JSON prints otherwise): such
 * a record is never a template.
 */
function templateValue(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null
  if (typeof v !== 'object' || v === null) return v
  return isStringList(v) ? v : undefined
}

/**
 * Whether the record in valueScratch[0, n) is `t` as a template reference would rebuild it at
 * position `pos`: every value the same as JSON prints it, but a number equal to `first + t.pos` must
 * be `first + pos`. Values compare by content, never by identity, so a record and its JSON copy (a
 * result read back, or cloned) pack to the same bytes.
 */
function matchesTemplate(t: Template, shape: number, n: number, first: number, pos: number): boolean {
  if (t.shape !== shape || t.n !== n) return false
  const was = first + t.pos
  const now = first + pos
  const values = t.values
  for (let i = 0; i < n; i++) {
    const tv = values[i]
    const v = valueScratch[i]
    if (tv === was) {
      if (v !== now) return false
    } else if (typeof tv === 'object' && tv !== null) {
      if (v !== tv && !sameStrings(tv as string[], v)) return false
    } else if (v !== tv && !(tv === null && typeof v === 'number' && !Number.isFinite(v))) return false
  }
  return true
}

/** Whether `v` is a list of the same strings as `list`. */
function sameStrings(list: readonly string[], v: unknown): boolean {
  if (!Array.isArray(v) || v.length !== list.length) return false
  for (let i = 0; i < list.length; i++) if (v[i] !== list[i]) return false
  return true
}

/**
 * Makes the record in valueScratch[0, n) the most recent template, reusing the values array of the one
 * it pushes out; a record holding an object (other than a list of strings) is not remembered.
 */
function rememberTemplate(templates: Template[], pos: number, shape: number, n: number, cls: number): void {
  for (let i = 0; i < n; i++) if (templateValue(valueScratch[i]) === undefined) return
  const old = templates.length === RECENT_TEMPLATES ? templates.pop()! : undefined
  const t: Template = old ?? { pos, shape, n, values: [], cls }
  t.pos = pos
  t.shape = shape
  t.n = n
  t.cls = cls
  for (let i = 0; i < n; i++) t.values[i] = templateValue(valueScratch[i])
  t.values.length = n
  templates.unshift(t)
}

/** Writes a reference to templates[hit] and moves it to the front. */
function writeReference(templates: Template[], hit: number, body: PackBuffer): void {
  const t = templates[hit]!
  // Move to front: the ops of a loop come round again in turn. A loop, not copyWithin, which took
  // half of packRecords' time on a plain array here.
  for (let k = hit; k > 0; k--) templates[k] = templates[k - 1]!
  templates[0] = t
  body.reserve(4)
  body.view.setUint32(body.length, TEMPLATE + t.pos, true)
  body.length += 4
}

/** Whether `a` holds exactly the first `n` keys of `b`. */
function sameKeys(a: readonly string[], b: readonly string[], n: number): boolean {
  if (a.length !== n) return false
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false
  return true
}

/** One record's kept keys and values (packRecords), reused: records are flat and small. */
const keyScratch: string[] = []
const valueScratch: unknown[] = []

/**
 * Whether a for-in over an object with this prototype gives exactly its own keys, as Object.keys does:
 * when nothing on the prototype chain is enumerable (class methods are not; a property someone added
 * to Object.prototype would be).
 */
function forInGivesOwnKeys(proto: object | null): boolean {
  for (const _ in Object.create(proto) as object) return false
  return true
}

/** The value area of packRecords, kept between calls so packing does not allocate it per chunk. */
const scratch = new PackBuffer()

/**
 * Packs records [start, start + count) into `buf` (reset first) and returns a view of the packed bytes,
 * valid until the next call with the same buffer. `first` is the number of the chunk's first record in
 * its whole list (the run_records row's `first`; by default `start`): a record whose `index` counts
 * with its position is then stored as a reference to an earlier one (TEMPLATE above). `classes`,
 * when given, holds a class per record (RangeSource.classes, 0: none): a record whose class, `op` and
 * `task` are a template's is referred to it without gathering or comparing its values, to the same
 * bytes. On the bench's 120k step results: 14-15 ms without, 4-5 ms with them (ADR 0035). `whole`,
 * with classes: `records` may hold a stand-in with only `op` and `task` for a record with a class
 * (RangeSource.standIns), and whole(r) gives record r when it is not referred to a template.
 */
export function packRecords(records: readonly object[], start: number, count: number, buf: PackBuffer, first = start, classes?: ArrayLike<number>, whole?: (r: number) => object): Uint8Array {
  if (!Number.isInteger(first) || first < 0 || first > 0xffffffff) throw new Error(`packRecords: first ${first} is not a u32`)
  const strings: string[] = []
  const stringIds = new Map<string, number>()
  const intern = (s: string): number => {
    let id = stringIds.get(s)
    if (id === undefined) {
      id = strings.length
      strings.push(s)
      stringIds.set(s, id)
    }
    return id
  }
  // Long strings (violation messages naming a pfn and a count) are mostly unique: interning them
  // costs a Map insert each and saves nothing.
  const append = (s: string): number => strings.push(s) - 1
  const shapes: number[] = []
  const shapeIds = new Map<string, number>()
  // The shapes seen most recently, compared key by key before building a look-up string: records of
  // one list mostly repeat a handful of shapes.
  const recent: { keys: string[]; id: number }[] = []
  // Values go to a body area first; the header and tables are written in front of it at the end,
  // when their sizes are known. Body bytes: at most 4 + 9 per key per record.
  const body = scratch
  body.length = 0
  // The same key mostly holds the same string record after record (a step's task and status, a
  // gup's message, an access's notes), so the last string seen at each key position (and at each
  // index of a string list) is compared before the Map look-up, which hashes the string. Per call:
  // string ids belong to one chunk. With the for-in below, packing the bench's 120k step results
  // went from ~90 ms to ~60 ms (CPU time, medians of 25 runs).
  const lastStrings: string[] = []
  const lastIds: number[] = []
  const lastListStrings: string[] = []
  const lastListIds: number[] = []
  const stringId = (s: string, slot: number, last: string[], ids: number[]): number => {
    if (s === last[slot]) return ids[slot]!
    // Long strings are not interned (see `append`), so they are never remembered either.
    if (s.length > INTERN_MAX) return append(s)
    const id = intern(s)
    last[slot] = s
    ids[slot] = id
    return id
  }
  // The last prototype seen and whether for-in may walk its records (and the one before it): results
  // are plain objects or the scheduler's step results.
  let lastProto: object | null | undefined
  let forIn = false
  let otherProto: object | null | undefined
  let otherForIn = false
  const templates: Template[] = []
  for (let r = start; r < start + count; r++) {
    let record = records[r] as Record<string, unknown>
    const cls = classes === undefined ? 0 : classes[r - start]!
    if (cls !== 0) {
      // A step result with a class (RangeSource.classes): a template of its class, op and task holds
      // the same values but for `index`, which is each one's position, so it is the template the
      // comparisons below would find. No other template can match as well: two templates that both
      // matched would match each other, and the later one would then have been written as a
      // reference to the earlier one, not kept as a template. So the bytes are the same either way.
      const op = record.op
      const task = record.task
      let hit = -1
      for (let k = 0; k < templates.length; k++) {
        const t = templates[k]!
        if (t.cls === cls && t.values[1] === op && t.values[2] === task) {
          hit = k
          break
        }
      }
      if (hit >= 0) {
        writeReference(templates, hit, body)
        continue
      }
      if (whole !== undefined) record = whole(r) as Record<string, unknown>
    }
    // The record's own keys and values as JSON.stringify sees them (undefined, functions and symbols
    // dropped), gathered in one pass into reused arrays. A for-in over an object walks its enum
    // cache and V8 loads each value as a field; Object.keys plus a keyed load per key cost twice that.
    let n = 0
    const proto = Object.getPrototypeOf(record) as object | null
    if (proto !== lastProto) {
      // Two prototypes alternate in a list of step results (the scheduler's objects for steps that
      // waited, plain objects for the rest, main/sim/settled-steps.ts): the one before is remembered.
      const before = lastProto
      const beforeForIn: boolean = forIn
      forIn = proto === otherProto ? otherForIn : forInGivesOwnKeys(proto)
      lastProto = proto
      otherProto = before
      otherForIn = beforeForIn
    }
    if (forIn) {
      for (const k in record) {
        const v = record[k]
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue
        keyScratch[n] = k
        valueScratch[n++] = v
      }
    } else {
      for (const k of Object.keys(record)) {
        const v = record[k]
        if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue
        keyScratch[n] = k
        valueScratch[n++] = v
      }
    }
    let shape = -1
    for (const c of recent) {
      if (sameKeys(c.keys, keyScratch, n)) {
        shape = c.id
        break
      }
    }
    if (shape < 0) {
      const kept = keyScratch.slice(0, n)
      const shapeText = JSON.stringify(kept)
      shape = shapeIds.get(shapeText) ?? -1
      if (shape < 0) {
        shape = shapes.length
        shapes.push(intern(shapeText))
        shapeIds.set(shapeText, shape)
      }
      recent.unshift({ keys: kept, id: shape })
      if (recent.length > RECENT_SHAPES) recent.pop()
    }
    const pos = r - start
    let hit = -1
    for (let k = 0; k < templates.length; k++) {
      if (matchesTemplate(templates[k]!, shape, n, first, pos)) {
        hit = k
        break
      }
    }
    if (hit >= 0) {
      writeReference(templates, hit, body)
      continue
    }
    rememberTemplate(templates, pos, shape, n, cls)
    body.reserve(4 + 9 * n)
    let view = body.view
    let at = body.length
    view.setUint32(at, shape, true)
    at += 4
    for (let i = 0; i < n; i++) {
      const v = valueScratch[i]
      if (typeof v === 'string') {
        view.setUint8(at, TAG_STRING)
        view.setUint32(at + 1, stringId(v, i, lastStrings, lastIds), true)
        at += 5
      } else if (typeof v === 'number') {
        if (Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) {
          view.setUint8(at, TAG_INT)
          view.setInt32(at + 1, v, true) // -0 becomes 0, which JSON prints the same
          at += 5
        } else if (Number.isFinite(v)) {
          view.setUint8(at, TAG_FLOAT)
          view.setFloat64(at + 1, v, true)
          at += 9
        } else view.setUint8(at++, TAG_NULL) // JSON prints NaN and Infinity as null
      } else if (typeof v === 'boolean') view.setUint8(at++, v ? TAG_TRUE : TAG_FALSE)
      else if (v === null) view.setUint8(at++, TAG_NULL)
      else if (isStringList(v)) {
        // Lists of strings (a step's notes) are common and repeat: their strings are interned one by
        // one instead of building each list's JSON text.
        body.length = at
        body.reserve(5 + 4 * v.length + 9 * n)
        view = body.view
        view.setUint8(at, TAG_STRINGS)
        view.setUint32(at + 1, v.length, true)
        at += 5
        for (let j = 0; j < v.length; j++) {
          view.setUint32(at, stringId(v[j]!, j, lastListStrings, lastListIds), true)
          at += 4
        }
      } else {
        view.setUint8(at, TAG_JSON)
        view.setUint32(at + 1, intern(JSON.stringify(v)), true)
        at += 5
      }
    }
    body.length = at
  }
  // The scratch must not keep a caller's last record alive.
  valueScratch.fill(undefined)
  const text = strings.join('')
  const textBytes = Buffer.byteLength(text, 'utf8')
  buf.length = 0
  buf.reserve(HEADER_BYTES + 4 * strings.length + textBytes + 4 * shapes.length + body.length)
  const v = buf.view
  v.setUint32(0, RECORD_MAGIC, true)
  v.setUint32(4, RECORD_VERSION, true) // version byte, then three reserved zero bytes
  v.setUint32(8, count, true)
  v.setUint32(12, strings.length, true)
  v.setUint32(16, shapes.length, true)
  v.setUint32(20, textBytes, true)
  v.setUint32(24, first, true)
  let at = HEADER_BYTES
  for (const s of strings) {
    v.setUint32(at, s.length, true)
    at += 4
  }
  Buffer.from(buf.bytes.buffer, buf.bytes.byteOffset, buf.bytes.byteLength).write(text, at, 'utf8')
  at += textBytes
  for (const s of shapes) {
    v.setUint32(at, s, true)
    at += 4
  }
  buf.bytes.set(body.bytes.subarray(0, body.length), at)
  buf.length = at + body.length
  return buf.bytes.subarray(0, buf.length)
}

/** The records of one chunk (format version 1 or 2); throws an Error naming what is wrong with a malformed one. */
export function unpackRecords(data: Uint8Array): object[] {
  const bad = (why: string) => new Error(`record chunk is malformed: ${why}`)
  if (data.byteLength < HEADER_BYTES_V1) throw bad(`${data.byteLength} bytes, shorter than its header`)
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const magic = v.getUint32(0, true)
  if (magic !== RECORD_MAGIC) throw bad(`magic 0x${magic.toString(16)}, expected 0x${RECORD_MAGIC.toString(16)}`)
  const version = v.getUint8(4)
  if (version !== RECORD_VERSION && version !== RECORD_VERSION_1) throw bad(`format version ${version} is not supported (this build reads ${RECORD_VERSION_1} and ${RECORD_VERSION})`)
  const headerBytes = version === RECORD_VERSION_1 ? HEADER_BYTES_V1 : HEADER_BYTES
  if (data.byteLength < headerBytes) throw bad(`${data.byteLength} bytes, shorter than its header`)
  const count = v.getUint32(8, true)
  const nStrings = v.getUint32(12, true)
  const nShapes = v.getUint32(16, true)
  const textBytes = v.getUint32(20, true)
  const first = version === RECORD_VERSION_1 ? 0 : v.getUint32(24, true)
  const textAt = headerBytes + 4 * nStrings
  const shapesAt = textAt + textBytes
  let at = shapesAt + 4 * nShapes
  if (at > data.byteLength) throw bad(`its tables need ${at} bytes, it has ${data.byteLength}`)
  // Every record takes at least 4 bytes: a count beyond that is damage, not a reason to allocate.
  if (count > (data.byteLength - at) / 4) throw bad(`${count} records cannot fit in ${data.byteLength - at} bytes`)
  const text = Buffer.from(data.buffer, data.byteOffset + textAt, textBytes).toString('utf8')
  const strings: string[] = new Array<string>(nStrings)
  for (let i = 0, pos = 0; i < nStrings; i++) {
    const len = v.getUint32(headerBytes + 4 * i, true)
    strings[i] = text.slice(pos, pos + len)
    pos += len
  }
  const stringAt = (id: number): string => {
    if (id >= nStrings) throw bad(`string index ${id} out of ${nStrings}`)
    return strings[id]!
  }
  const json = (text: string): Json => {
    try {
      return JSON.parse(text) as Json
    } catch {
      throw bad(`a stored value is not JSON: ${JSON.stringify(text.slice(0, 40))}`)
    }
  }
  const shapes: string[][] = []
  for (let i = 0; i < nShapes; i++) {
    const keys = json(stringAt(v.getUint32(shapesAt + 4 * i, true)))
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) throw bad(`shape ${i} is not a list of keys`)
    shapes.push(keys as string[])
  }
  const end = data.byteLength
  const short = () => bad(`record data ends at byte ${end}, inside a record`)
  const out: object[] = new Array<object>(count)
  // Where each full record starts (-1: a reference), for the references after it. A reference is read
  // again from those bytes, so every record gets its own objects.
  const starts = version === RECORD_VERSION_1 ? undefined : new Int32Array(count).fill(-1)
  for (let r = 0; r < count; r++) {
    if (at + 4 > end) throw short()
    let head = v.getUint32(at, true)
    at += 4
    // For a reference: where to go on after it, and its counter (a number equal to `from` is `to`).
    let resume = -1
    let from = NaN
    let to = NaN
    if (starts && head >= TEMPLATE) {
      const t = head - TEMPLATE
      if (t >= r) throw bad(`record ${r} refers to record ${t}, which does not come before it`)
      if (starts[t]! < 0) throw bad(`record ${r} refers to record ${t}, itself a reference`)
      resume = at
      at = starts[t]!
      head = v.getUint32(at, true)
      at += 4
      from = first + t
      to = first + r
    } else if (starts) starts[r] = at - 4
    const keys = shapes[head]
    if (!keys) throw bad(`shape index ${head} out of ${nShapes}`)
    const record: Record<string, Json> = {}
    for (const k of keys) {
      if (at + 1 > end) throw short()
      const tag = v.getUint8(at++)
      let value: Json
      switch (tag) {
        case TAG_NULL:
          value = null
          break
        case TAG_FALSE:
          value = false
          break
        case TAG_TRUE:
          value = true
          break
        case TAG_INT:
          if (at + 4 > end) throw short()
          value = v.getInt32(at, true)
          if (value === from) value = to
          at += 4
          break
        case TAG_FLOAT:
          if (at + 8 > end) throw short()
          value = v.getFloat64(at, true)
          if (value === from) value = to
          at += 8
          break
        case TAG_STRING:
          if (at + 4 > end) throw short()
          value = stringAt(v.getUint32(at, true))
          at += 4
          break
        case TAG_STRINGS: {
          if (at + 4 > end) throw short()
          const n = v.getUint32(at, true)
          at += 4
          if (at + 4 * n > end) throw short()
          const list: string[] = new Array<string>(n)
          for (let i = 0; i < n; i++) list[i] = stringAt(v.getUint32(at + 4 * i, true))
          at += 4 * n
          value = list
          break
        }
        case TAG_JSON:
          if (at + 4 > end) throw short()
          value = json(stringAt(v.getUint32(at, true)))
          at += 4
          break
        default:
          throw bad(`unknown value tag ${tag}`)
      }
      // An own '__proto__' key (JSON.parse makes one) must not become the prototype.
      if (k === '__proto__') Object.defineProperty(record, k, { value, enumerable: true, writable: true, configurable: true })
      else record[k] = value
    }
    out[r] = record
    if (resume >= 0) at = resume
  }
  if (at !== data.byteLength) throw bad(`${data.byteLength - at} bytes left after ${count} records`)
  return out
}
