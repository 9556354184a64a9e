/**
 * How a run result and a profile are kept in their rows: results as JSON, gzipped when large;
 * profiles as canonical JSON with a content hash for deduplication.
 */
import { createHash } from 'node:crypto'
import { constants, gunzipSync, gzipSync } from 'node:zlib'
import type { RunResult } from '../sim/result'

export type ResultCodec = 'json' | 'gzip'

/**
 * Results below this stay plain JSON TEXT: a few KiB gain little from compression and stay readable
 * with the sqlite3 shell and json_extract(). Above it (long scenarios: one record per step) JSON of
 * repeated keys compresses 10-20x.
 */
export const GZIP_THRESHOLD = 16 * 1024

/**
 * gzip rather than brotli: every tool (zcat, Python, any SQLite extension) reads it, and at level 1 it
 * costs a few ms per MiB on the write path, which saveRun is; brotli's better ratio needs high quality
 * levels that are ~10x slower, and results are a small part of the file next to the events.
 */
const GZIP_LEVEL = constants.Z_BEST_SPEED

export function encodeResult(result: RunResult): { codec: ResultCodec; data: string | Buffer } {
  const json = JSON.stringify(result)
  if (json.length < GZIP_THRESHOLD) return { codec: 'json', data: json }
  return { codec: 'gzip', data: gzipSync(json, { level: GZIP_LEVEL }) }
}

/** The gzip codec's bytes for a result already written as JSON bytes (UTF-8), as encodeResult() compresses its text. */
export function gzipResultJson(json: Uint8Array): Buffer {
  return gzipSync(json, { level: GZIP_LEVEL })
}

export function decodeResult(codec: string, data: string | Buffer): RunResult {
  if (codec === 'json') return JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as RunResult
  if (codec === 'gzip') return JSON.parse(gunzipSync(data).toString('utf8')) as RunResult
  throw new Error(`unknown result codec '${codec}'`)
}

/**
 * JSON with object keys sorted at every level, so equal content gives equal text whatever the key order.
 *
 * The text is exactly what `JSON.stringify(value, sortKeys)` gives, where `sortKeys` copies each
 * non-array object into a new one with its keys inserted in `.sort()` order: the stored digests and
 * profile hashes were made that way, so it must never change. It is written out by hand because
 * a replacer calls back into JS for every value and allocates a copy of every object, which made a
 * sweep's result digest about a fifth of each run (docs/adr/0025-sweep-parallel-efficiency.md).
 * What the copy did, kept here: keys that are array indexes come first in numeric order (that is how
 * a JS object orders them), the rest in sorted order; `__proto__` is dropped (assigning it set the
 * copy's prototype); `toJSON` is honoured before the copy; values JSON cannot hold are left out of
 * objects and written `null` in arrays; a wrapper object (new Number(1)) is written as a plain object of
 * its own keys.
 */
export function canonicalJson(value: unknown): string {
  // undefined for a value JSON cannot hold (undefined, a function), as JSON.stringify gives.
  return canonicalValue(value, '') as string
}

const MAX_ARRAY_INDEX = 2 ** 32 - 2

/** A key the sorted copy would not hold in sorted order: an array index, or `__proto__` (not held at all). */
function isSpecialKey(key: string): boolean {
  const c = key.charCodeAt(0)
  if (c === 95 /* _ */) return key === '__proto__'
  if (c < 48 || c > 57) return false
  return /^(?:0|[1-9]\d*)$/.test(key) && Number(key) <= MAX_ARRAY_INDEX
}

/** JSON.stringify of a key, kept: results repeat the same few dozen keys many times. */
const quotedKeys = new Map<string, string>()
function quotedKey(key: string): string {
  let q = quotedKeys.get(key)
  if (q === undefined) {
    q = JSON.stringify(key)
    if (quotedKeys.size < 4096) quotedKeys.set(key, q)
  }
  return q
}

/** The keys in the order the sorted copy holds them: array indexes numerically, then the rest sorted. */
function sortedKeys(obj: object): string[] {
  const keys = Object.keys(obj).sort()
  let special = false
  for (let i = 0; i < keys.length && !special; i++) special = isSpecialKey(keys[i]!)
  if (!special) return keys
  const indexes = keys.filter((k) => k !== '__proto__' && isSpecialKey(k)).sort((a, b) => Number(a) - Number(b))
  return indexes.concat(keys.filter((k) => !isSpecialKey(k)))
}

function canonicalValue(input: unknown, key: string): string | undefined {
  let v = input
  if (v !== null && (typeof v === 'object' || typeof v === 'bigint') && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(k: string): unknown }).toJSON(key)
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v)
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null'
    case 'boolean':
      return v ? 'true' : 'false'
    case 'bigint':
      // What JSON.stringify throws for a BigInt.
      return JSON.stringify(v)
    case 'object':
      if (v === null) return 'null'
      if (Array.isArray(v)) {
        let out = '['
        for (let i = 0; i < v.length; i++) out += (i > 0 ? ',' : '') + (canonicalValue(v[i], String(i)) ?? 'null')
        return out + ']'
      }
      {
        let out = '{'
        let first = true
        for (const k of sortedKeys(v)) {
          const text = canonicalValue((v as Record<string, unknown>)[k], k)
          if (text === undefined) continue
          out += (first ? '' : ',') + quotedKey(k) + ':' + text
          first = false
        }
        return out + '}'
      }
    default:
      // undefined, functions and symbols: no JSON text (left out of objects, null in arrays).
      return undefined
  }
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
