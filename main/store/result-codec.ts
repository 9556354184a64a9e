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

export function decodeResult(codec: string, data: string | Buffer): RunResult {
  if (codec === 'json') return JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as RunResult
  if (codec === 'gzip') return JSON.parse(gunzipSync(data).toString('utf8')) as RunResult
  throw new Error(`unknown result codec '${codec}'`)
}

/** JSON with object keys sorted at every level, so equal content gives equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
    const sorted: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k]
    return sorted
  })
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
