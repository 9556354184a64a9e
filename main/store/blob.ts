/** A Buffer over the same bytes (no copy): better-sqlite3's BLOB parameters are typed as Buffer. */
export function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
}
