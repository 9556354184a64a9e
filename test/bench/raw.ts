/**
 * The physical limits the engine and the store are compared with, measured on the same machine in
 * the same process:
 * - rawLoop: a bare refcount loop that writes the same 9 event columns the engine records (step, task,
 *   kind, level, pfn, before, after, entry, cause) into arrays allocated and pre-faulted once, so what
 *   is timed is the loop and the column stores, not the kernel handing out fresh pages.
 * - rawSqlite: better-sqlite3 inserting the same packed chunk BLOBs in one transaction, the least any
 *   store of those bytes has to do.
 */
import Database from 'better-sqlite3'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { medianSeconds } from './measure'
import { rng } from './workloads'

export function rawLoopEventsPerSecond(events: number): number {
  const pages = 1 << 20
  const refcount = new Int32Array(pages)
  const step = new Int32Array(events)
  const task = new Uint16Array(events)
  const kind = new Uint8Array(events)
  const level = new Uint8Array(events)
  const pfn = new Float64Array(events)
  const before = new Float64Array(events)
  const after = new Float64Array(events)
  const entry = new BigUint64Array(events)
  const cause = new Uint16Array(events)
  // Pre-fault every page of every column (and the refcounts) before anything is timed.
  for (const a of [refcount, step, task, kind, level, pfn, before, after, cause]) a.fill(1)
  entry.fill(1n)
  // Entry values come from a table, as if encoded elsewhere: the loop measures storage, not BigInt math.
  const entries = Array.from({ length: 1024 }, (_, i) => (BigInt(i) << 21n) | 0x8000000000000025n)
  const seconds = medianSeconds(
    () => rng(7),
    (random) => {
      for (let i = 0; i < events; i++) {
        const p = random(pages)
        const b = refcount[p]!
        const a = b + ((i & 1) === 0 ? 1 : -1)
        refcount[p] = a
        step[i] = i >> 4
        task[i] = i & 3
        kind[i] = i & 7
        level[i] = i & 3
        pfn[i] = p
        before[i] = b
        after[i] = a
        entry[i] = (i & 3) === 0 ? entries[p & 1023]! : 0n
        cause[i] = i & 63
      }
    },
  )
  if (after[events - 1] === 0.5) throw new Error('unreachable: keeps the loop observable')
  return events / seconds
}

export function rawSqliteEventsPerSecond(blobs: readonly Uint8Array[], events: number, dir: string): number {
  let n = 0
  const seconds = medianSeconds(
    () => {
      const file = join(dir, `raw-${n++}.sqlite`)
      const db = new Database(file)
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.exec('CREATE TABLE chunks (run_id INTEGER, chunk_no INTEGER, data BLOB, PRIMARY KEY (run_id, chunk_no))')
      return { db, file, insert: db.prepare('INSERT INTO chunks VALUES (1, ?, ?)') }
    },
    ({ db, insert }) => db.transaction(() => blobs.forEach((b, i) => insert.run(i, b)))(),
    ({ db, file }) => {
      db.close()
      rmSync(file, { force: true })
      rmSync(file + '-wal', { force: true })
      rmSync(file + '-shm', { force: true })
    },
  )
  return events / seconds
}
