/**
 * Record chunks as stores of schema 6 and earlier hold them (format version 1, docs/store.md#record-chunks):
 * a plain encoder written from the documented layout, not the lab's own, so reading old stores is
 * checked against the format rather than against the code that reads it. Every record is a full one
 * (version 1 has no references); strings are interned whatever their length (the layout allows it).
 */
import Database from 'better-sqlite3'
import { recordChunkChecksum } from '../../main/store/checksum'
import { unpackRecords } from '../../main/store/record-codec'

export function packRecordsV1(records: readonly object[]): Uint8Array {
  const strings: string[] = []
  const ids = new Map<string, number>()
  const intern = (s: string) => {
    if (!ids.has(s)) ids.set(s, strings.push(s) - 1)
    return ids.get(s)!
  }
  const shapes: number[] = []
  const shapeIds = new Map<string, number>()
  const body: number[] = []
  const u32 = (x: number) => body.push(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff)
  for (const record of records) {
    const entries = Object.entries(record).filter(([, v]) => v !== undefined && typeof v !== 'function')
    const shapeText = JSON.stringify(entries.map(([k]) => k))
    if (!shapeIds.has(shapeText)) shapeIds.set(shapeText, shapes.push(intern(shapeText)) - 1)
    u32(shapeIds.get(shapeText)!)
    for (const [, v] of entries) {
      if (v === null || (typeof v === 'number' && !Number.isFinite(v))) body.push(0)
      else if (typeof v === 'boolean') body.push(v ? 2 : 1)
      else if (typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) {
        body.push(3)
        u32(v)
      } else if (typeof v === 'number') body.push(4, ...new Uint8Array(new Float64Array([v]).buffer))
      else if (typeof v === 'string') {
        body.push(5)
        u32(intern(v))
      } else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
        body.push(7)
        u32(v.length)
        for (const x of v as string[]) u32(intern(x))
      } else {
        body.push(6)
        u32(intern(JSON.stringify(v)))
      }
    }
  }
  const text = Buffer.from(strings.join(''), 'utf8')
  const out = Buffer.alloc(24 + 4 * strings.length + text.length + 4 * shapes.length + body.length)
  out.write('DXRC', 0, 'latin1')
  out.writeUInt8(1, 4)
  out.writeUInt32LE(records.length, 8)
  out.writeUInt32LE(strings.length, 12)
  out.writeUInt32LE(shapes.length, 16)
  out.writeUInt32LE(text.length, 20)
  let at = 24
  for (const s of strings) at = out.writeUInt32LE(s.length, at)
  at += text.copy(out, at)
  for (const s of shapes) at = out.writeUInt32LE(s, at)
  Buffer.from(body).copy(out, at)
  return new Uint8Array(out)
}

/**
 * Turns a store file written by this build into one as schema 6 left it: every record chunk rewritten
 * in format version 1 (with its checksum), user_version 6. Migration 7 changes no table, so the rest
 * is what schema 6 wrote.
 */
export function downgradeToSchema6(file: string): void {
  const db = new Database(file)
  try {
    const rows = db.prepare('SELECT run_id, kind, chunk_no, first, count, data FROM run_records').all() as { run_id: number; kind: string; chunk_no: number; first: number; count: number; data: Buffer }[]
    const update = db.prepare('UPDATE run_records SET data = ?, checksum = ? WHERE run_id = ? AND kind = ? AND chunk_no = ?')
    db.transaction(() => {
      for (const r of rows) {
        const v1 = packRecordsV1(unpackRecords(r.data))
        update.run(v1, recordChunkChecksum(r.kind, r.first, r.count, v1), r.run_id, r.kind, r.chunk_no)
      }
    })()
    db.pragma('user_version = 6')
  } finally {
    db.close()
  }
}
