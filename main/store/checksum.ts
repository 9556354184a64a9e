/**
 * Checksums of what the store keeps (docs/store.md#checksums): every event chunk, every step and
 * violation chunk, and every run's own row (its result and string tables). SQLite's integrity_check
 * sees only its b-trees; a flipped bit inside a BLOB passes it, so the store checks its own bytes.
 *
 * CRC-32 (node:zlib crc32, the zip/PNG polynomial) rather than SHA-256 from node:crypto: the goal is
 * accidental damage (a bad sector, a stray write, a truncated copy), not tampering, since whoever can
 * write the file can recompute any digest. Measured here on 170 KiB chunks: CRC-32 5.2 GB/s, SHA-256
 * 1.6 GB/s (with SHA-NI; md5, sha1, blake2 are slower still). On the bench's 2.36M-event run SHA-256
 * cost ~12% of the time SQLite takes to write the chunks, CRC-32 ~4%. CRC-32 detects every error of up
 * to 32 consecutive bits and misses random damage with probability 2^-32 per row.
 *
 * These byte layouts are a file format: migration 3 computes the same values for rows written before
 * it (with its own copy of this code, as migrations must not import live codecs).
 */
import { crc32 } from 'node:zlib'

/** Numbers that describe a chunk row, hashed ahead of its BLOB so a damaged summary column is caught too. */
function numbers(values: readonly number[]): Buffer {
  const head = Buffer.allocUnsafe(8 * values.length)
  values.forEach((n, i) => head.writeDoubleLE(n, 8 * i))
  return head
}

/** An event_chunks row: crc32(f64le first_seq, count, step_min, step_max, kinds; data). */
export function eventChunkChecksum(firstSeq: number, count: number, stepMin: number, stepMax: number, kinds: number, data: Uint8Array): number {
  return crc32(data, crc32(numbers([firstSeq, count, stepMin, stepMax, kinds])))
}

/** A run_records row: crc32(utf8 kind, 0x00, f64le first, count; data). */
export function recordChunkChecksum(kind: string, first: number, count: number, data: Uint8Array): number {
  return crc32(data, crc32(numbers([first, count]), crc32(kind + '\0')))
}

/** The columns of a runs row a reader relies on, all covered by its checksum. */
export interface RunRowFields {
  readonly kernel: string
  readonly scheme: string
  readonly quirks: string
  readonly arch: string
  readonly variant: string
  readonly created_at: string
  readonly steps: number
  readonly violations: number
  readonly blocked: number
  readonly events: number
  readonly result_codec: string
  readonly layout: number
  readonly result: string | Uint8Array
}

/** A run's row and its string tables (run_strings), which decode its events. */
export interface RunChecksumInput extends RunRowFields {
  readonly tasks: readonly string[]
  readonly causes: readonly string[]
}

/** A runs row: crc32(UTF-8 JSON array of the row's fields and string tables; the result bytes as stored). */
export function runChecksum(r: RunChecksumInput): number {
  const fields = [r.kernel, r.scheme, r.quirks, r.arch, r.variant, r.created_at, r.steps, r.violations, r.blocked, r.events, r.result_codec, r.layout, r.tasks, r.causes]
  return crc32(r.result, crc32(JSON.stringify(fields)))
}
