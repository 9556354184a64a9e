/**
 * A run's folio list written as JSON bytes straight from the engine's columns: exactly the UTF-8 of
 * `JSON.stringify(list)` for the list the columns describe (FolioColumns in main/sim/result.ts), with
 * no object or string per folio. The bench's device DAX mix ends with 23,070 folios: making their
 * objects, stringifying them and converting the 1.9 MB text to UTF-8 for gzip took ~25 ms of a save's
 * tail; writing the bytes takes a few (ADR 0035).
 */
import type { FolioColumns } from '../sim/result'

const EMPTY = new Uint8Array(0)
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0))
const CHAR_CODES = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0))
const OPEN = CHAR_CODES('{"pfn":"0x')
const ORDER = CHAR_CODES('","order":')
const REFCOUNT = CHAR_CODES(',"refcount":')
const MAPCOUNT = CHAR_CODES(',"mapcount":')
const PINCOUNT = CHAR_CODES(',"pincount":')
/**
 * The most bytes a number takes as JSON text: 17 significant digits, a sign and at most 7 more
 * characters (`-0.0000012345678901234567` is 25, `-1.7976931348623157e+308` 24). Counts are integers;
 * the bound keeps any other number inside the buffer too.
 */
const NUMBER_BYTES = 25
/** pfns are below 2^53: at most 14 hex digits. */
const HEX_BYTES = 14

class ByteWriter {
  readonly bytes: Uint8Array
  at = 0
  constructor(size: number) {
    this.bytes = new Uint8Array(size)
  }

  /** Reverses bytes [from, at): digits are written last to first. */
  private reverse(from: number): void {
    const b = this.bytes
    for (let i = from, j = this.at - 1; i < j; i++, j--) {
      const t = b[i]!
      b[i] = b[j]!
      b[j] = t
    }
  }

  byte(b: number): void {
    this.bytes[this.at++] = b
  }

  codes(codes: readonly number[]): void {
    for (let i = 0; i < codes.length; i++) this.bytes[this.at++] = codes[i]!
  }

  raw(chunk: Uint8Array): void {
    this.bytes.set(chunk, this.at)
    this.at += chunk.length
  }

  /** n in lowercase hex without leading zeros, as n.toString(16) writes a non-negative integer. */
  hex(n: number): void {
    if (!(Number.isSafeInteger(n) && n >= 0)) {
      this.codes(CHAR_CODES(n.toString(16)))
      return
    }
    // Digits last to first, then reversed in place (no powers: `**` with a run-time exponent is a pow() call).
    const from = this.at
    let v = n
    do {
      this.bytes[this.at++] = HEX_CODES[v % 16]!
      v = Math.floor(v / 16)
    } while (v > 0)
    this.reverse(from)
  }

  /** n as JSON writes it: a safe integer as its digits (-0 as 0), anything else through String (non-finite: null). */
  number(n: number): void {
    if (!Number.isSafeInteger(n)) {
      this.codes(CHAR_CODES(Number.isFinite(n) ? String(n) : 'null'))
      return
    }
    let v = n
    if (v < 0) {
      this.bytes[this.at++] = 45 // '-'
      v = -v
    }
    if (v < 10) {
      this.bytes[this.at++] = 48 + v
      return
    }
    const from = this.at
    do {
      this.bytes[this.at++] = 48 + (v % 10)
      v = Math.floor(v / 10)
    } while (v > 0)
    this.reverse(from)
  }
}

/**
 * The UTF-8 of `JSON.stringify(list)` for the folio list `cols` describes, between the bytes `before`
 * and `after` (the JSON around the list, written into the same buffer rather than concatenated after).
 */
export function folioListJson(cols: FolioColumns, before: Uint8Array = EMPTY, after: Uint8Array = EMPTY): Uint8Array {
  const encoder = new TextEncoder()
  // `","region":"<name>` with the name escaped as JSON escapes it, once per region.
  const regions = cols.regionNames.map((name) => encoder.encode(',"region":' + JSON.stringify(name)))
  const widest = regions.reduce((n, r) => Math.max(n, r.length), 0)
  const perFolio = OPEN.length + HEX_BYTES + ORDER.length + 3 + widest + REFCOUNT.length + MAPCOUNT.length + PINCOUNT.length + 3 * NUMBER_BYTES + 2
  const out = new ByteWriter(before.length + 2 + cols.count * perFolio + after.length)
  out.raw(before)
  out.byte(91) // '['
  for (let i = 0; i < cols.count; i++) {
    if (i > 0) out.byte(44) // ','
    out.codes(OPEN)
    out.hex(cols.head[i]!)
    out.codes(ORDER)
    out.number(cols.order[i]!)
    out.raw(regions[cols.region[i]!]!)
    out.codes(REFCOUNT)
    out.number(cols.refcount[i]!)
    out.codes(MAPCOUNT)
    out.number(cols.mapcount[i]!)
    out.codes(PINCOUNT)
    out.number(cols.pincount[i]!)
    out.byte(125) // '}'
  }
  out.byte(93) // ']'
  out.raw(after)
  return out.bytes.subarray(0, out.at)
}
