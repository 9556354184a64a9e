/**
 * Checksums of what the store keeps (docs/store.md#checksums): every event chunk, every step and
 * violation chunk, and every run's own row (its result and string tables). SQLite's integrity_check
 * sees only its b-trees; a flipped bit inside a BLOB passes it, so the store checks its own bytes.
 *
 * SHA-256 from node:crypto: hardware-accelerated (SHA-NI, ARMv8 crypto) on the machines daxlab runs
 * on, ~1.5 GB/s measured here, i.e. ~10x the rate SQLite writes chunks; a strong hash also catches a
 * row copied from elsewhere, which a CRC does only by luck. The digest is stored as a 32-byte BLOB.
 *
 * These byte layouts are a file format: migration 3 computes the same digests for rows written
 * before it (with its own copy of this code, as migrations must not import live codecs).
 */
import { createHash, type Hash } from 'node:crypto'

export const CHECKSUM_BYTES = 32

/** Numbers that describe a chunk row, hashed ahead of its BLOB so a damaged summary column is caught too. */
function withNumbers(hash: Hash, numbers: readonly number[]): Hash {
  const head = Buffer.allocUnsafe(8 * numbers.length)
  numbers.forEach((n, i) => head.writeDoubleLE(n, 8 * i))
  return hash.update(head)
}

/** An event_chunks row: sha256(f64le first_seq, count, step_min, step_max, kinds; data). */
export function eventChunkChecksum(firstSeq: number, count: number, stepMin: number, stepMax: number, kinds: number, data: Uint8Array): Buffer {
  return withNumbers(createHash('sha256'), [firstSeq, count, stepMin, stepMax, kinds]).update(data).digest()
}

/** A run_records row: sha256(utf8 kind, 0x00, f64le first, count; data). */
export function recordChunkChecksum(kind: string, first: number, count: number, data: Uint8Array): Buffer {
  return withNumbers(createHash('sha256').update(kind).update('\0'), [first, count]).update(data).digest()
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

/** A runs row: sha256(JSON array of the row's fields and string tables; the result bytes as stored). */
export function runChecksum(r: RunChecksumInput): Buffer {
  const fields = [r.kernel, r.scheme, r.quirks, r.arch, r.variant, r.created_at, r.steps, r.violations, r.blocked, r.events, r.result_codec, r.layout, r.tasks, r.causes]
  return createHash('sha256').update(JSON.stringify(fields)).update(r.result).digest()
}

export function sameChecksum(stored: Uint8Array | null, computed: Uint8Array): boolean {
  return stored !== null && Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).equals(computed)
}
