/**
 * A run's folio list written as JSON bytes straight from the engine's columns: exactly the UTF-8 of
 * `JSON.stringify(list)` for the list the columns describe (FolioColumns in main/sim/result.ts), with
 * no object or string per folio. The bench's device DAX mix ends with 23,070 folios: making their
 * objects, stringifying them and converting the 1.9 MB text to UTF-8 for gzip took ~25 ms of a save's
 * tail; writing the bytes takes a few (ADR 0035).
 */
import type { FolioColumns } from '../sim/result'

const EMPTY = new Uint8Array(0)
const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0))
const CHAR_CODES = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0))
const OPEN = CHAR_CODES('{"pfn":"0x')
const ORDER = CHAR_CODES('","order":')
const REFCOUNT = CHAR_CODES(',"refcount":')
const MAPCOUNT = CHAR_CODES(',"mapcount":')
const PINCOUNT = CHAR_CODES(',"pincount":')
/**
 * The most bytes a number takes as JSON text: 17 significant digits, a sign and at most 7 more
 * characters (`-0.0000012345678901234567` is 25, `-1.7976931348623157e+308` 24). Counts are integers,
 * and their widths come from their extremes (integerWidth); this bound covers a column that holds
 * any other number.
 */
const NUMBER_BYTES = 25

/** Decimal digits of a non-negative safe integer. */
function decimalDigits(n: number): number {
  let d = 1
  for (let v = n; v >= 10; v = Math.floor(v / 10)) d++
  return d
}

/**
 * The most bytes number() writes for any of the first `count` values of `col`: from the column's
 * extremes when every value is a safe integer, else NUMBER_BYTES. Sizing the buffer from these
 * rather than from NUMBER_BYTES for every field halves it: a 384k-folio list needed a 65 MB buffer
 * for 29 MB of text, and V8 answered that much new external memory with full collections of the
 * run's heap (60-80 ms each here, `node --trace-gc`).
 */
function integerWidth(col: ArrayLike<number>, count: number): number {
  let min = 0
  let max = 0
  for (let i = 0; i < count; i++) {
    const v = col[i]!
    if (v % 1 !== 0) return NUMBER_BYTES // a fraction, NaN or an infinity
    if (v < min) min = v
    else if (v > max) max = v
  }
  if (min < -Number.MAX_SAFE_INTEGER || max > Number.MAX_SAFE_INTEGER) return NUMBER_BYTES
  return Math.max(decimalDigits(max), min < 0 ? 1 + decimalDigits(-min) : 1)
}

/** The most bytes hex() writes for any of the first `count` heads: from the largest when all are safe non-negative integers. */
function hexWidth(heads: ArrayLike<number>, count: number): number {
  let max = 0
  let safe = true
  for (let i = 0; i < count; i++) {
    const v = heads[i]!
    if (!(v >= 0 && v % 1 === 0)) safe = false
    else if (v > max) max = v
  }
  if (max > Number.MAX_SAFE_INTEGER) safe = false
  if (safe) return hexDigits(Math.floor(max / 2 ** 32), max >>> 0)
  let widest = 0
  for (let i = 0; i < count; i++) widest = Math.max(widest, heads[i]!.toString(16).length)
  return widest
}

/**
 * The area the list is written into, kept between calls and grown when a list needs more: a new
 * 4 MB zeroed buffer per save (the bench's mix, sized for the widest folio) was external memory for
 * the collector to answer, as the event chunks' buffers were (prepared-run.ts eventChunks). A list
 * past KEEP_AREA_BYTES gets a buffer of its own, so a process that once saved a huge run does not
 * hold its size for good.
 */
let area = new Uint8Array(0)
const KEEP_AREA_BYTES = 16 * 2 ** 20

/** Short constants are copied byte by byte: `set` costs more than the loop at these lengths. */
function put(b: Uint8Array, at: number, codes: Uint8Array): number {
  for (let i = 0; i < codes.length; i++) b[at++] = codes[i]!
  return at
}

/** Any text as UTF-8 at `at` (numbers JSON writes in exponent or fraction form, hex of unsafe values). */
function text(b: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[at++] = s.charCodeAt(i) // ASCII only: digits, signs, '.', 'e', letters of null
  return at
}

/**
 * Hex digits of a safe non-negative integer given as its two 32-bit halves, from their leading zeros:
 * integer shifts, where dividing the double by 16 per digit (to count, then to write) took most of
 * the list's time.
 */
function hexDigits(hi: number, lo: number): number {
  return hi !== 0 ? 16 - (Math.clz32(hi) >> 2) : lo !== 0 ? 8 - (Math.clz32(lo) >> 2) : 1
}

/** n in lowercase hex without leading zeros, as n.toString(16) writes a non-negative integer. */
function hex(b: Uint8Array, at: number, n: number): number {
  if (!(Number.isSafeInteger(n) && n >= 0)) return text(b, at, n.toString(16))
  const hi = Math.floor(n / 2 ** 32)
  let v = n >>> 0
  const digits = hexDigits(hi, v)
  const end = at + digits
  let i = end - 1
  for (let k = Math.min(8, digits); k > 0; k--) {
    b[i--] = HEX_CODES[v & 15]!
    v >>>= 4
  }
  for (v = hi; i >= at; v >>>= 4) b[i--] = HEX_CODES[v & 15]!
  return end
}

/** n as JSON writes it: a safe integer as its digits (-0 as 0), anything else through String (non-finite: null). */
function number(b: Uint8Array, at: number, n: number): number {
  if (n >= 0 && n < 10 && n % 1 === 0) {
    b[at] = 48 + n // the common case: counts of a folio (also -0, which is 0 here)
    return at + 1
  }
  if (!Number.isSafeInteger(n)) return text(b, at, Number.isFinite(n) ? String(n) : 'null')
  let v = n
  if (v < 0) {
    b[at++] = 45 // '-'
    v = -v
  }
  const end = at + decimalDigits(v)
  for (let i = end - 1; i >= at; i--) {
    b[i] = 48 + (v % 10)
    v = Math.floor(v / 10)
  }
  return end
}

/**
 * The UTF-8 of `JSON.stringify(list)` for the folio list `cols` describes, between the bytes `before`
 * and `after` (the JSON around the list, written into the same buffer rather than concatenated after).
 * The bytes are a view of an area the next call writes over: use them (gzip them) before calling again.
 */
export function folioListJson(cols: FolioColumns, before: Uint8Array = EMPTY, after: Uint8Array = EMPTY): Uint8Array {
  const encoder = new TextEncoder()
  // `","region":"<name>` with the name escaped as JSON escapes it, once per region.
  const regions = cols.regionNames.map((name) => encoder.encode(',"region":' + JSON.stringify(name)))
  const widest = regions.reduce((n, r) => Math.max(n, r.length), 0)
  const { count, head, order, region, refcount, mapcount, pincount } = cols
  const numbers = integerWidth(order, count) + integerWidth(refcount, count) + integerWidth(mapcount, count) + integerWidth(pincount, count)
  const perFolio = OPEN.length + hexWidth(head, count) + ORDER.length + widest + REFCOUNT.length + MAPCOUNT.length + PINCOUNT.length + numbers + 2
  const size = before.length + 2 + count * perFolio + after.length
  if (area.length < size && size <= KEEP_AREA_BYTES) area = new Uint8Array(Math.min(KEEP_AREA_BYTES, Math.max(size, 2 * area.length)))
  const b = area.length >= size ? area : new Uint8Array(size)
  b.set(before, 0)
  let at = before.length
  b[at++] = 91 // '['
  for (let i = 0; i < count; i++) {
    if (i > 0) b[at++] = 44 // ','
    at = put(b, at, OPEN)
    at = hex(b, at, head[i]!)
    at = put(b, at, ORDER)
    at = number(b, at, order[i]!)
    const name = regions[region[i]!]!
    b.set(name, at) // a region's name can be long
    at += name.length
    at = put(b, at, REFCOUNT)
    at = number(b, at, refcount[i]!)
    at = put(b, at, MAPCOUNT)
    at = number(b, at, mapcount[i]!)
    at = put(b, at, PINCOUNT)
    at = number(b, at, pincount[i]!)
    b[at++] = 125 // '}'
  }
  b[at++] = 93 // ']'
  b.set(after, at)
  at += after.length
  return b.subarray(0, at)
}
