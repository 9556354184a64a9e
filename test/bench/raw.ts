/**
 * The physical limits the engine and the store are compared with, measured on the same machine in
 * the same process:
 * - rawLoop: a bare refcount loop that writes the same 9 event columns the engine records (step, task,
 *   kind, level, pfn, before, after, entry, cause) into arrays allocated and pre-faulted once, so what
 *   is timed is the loop and the column stores, not the kernel handing out fresh pages.
 * - rawSqlite: better-sqlite3 inserting the same packed chunk BLOBs in one transaction, the least any
 *   store of those bytes has to do (timed in turn with the store figures: run.ts storeFigures).
 */
import Database from 'better-sqlite3'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { medianSeconds, RUNS, type Timed } from './measure'
import { rng } from './workloads'

/** The loop runs ~0.1 s: three untimed calls bring it to V8's top tier before the five timed ones. */
const RAW_LOOP_WARMUPS = 3
const RAW_LOOP_PAGES = 1 << 20

interface RawColumns {
  readonly refcount: Int32Array
  readonly step: Int32Array
  readonly task: Uint16Array
  readonly kind: Uint8Array
  readonly level: Uint8Array
  readonly pfn: Float64Array
  readonly before: Float64Array
  readonly after: Float64Array
  readonly entry: BigUint64Array
  readonly cause: Uint16Array
}

/**
 * One pass of the raw loop. A named module-level function, so every call and every bench run runs
 * the same optimised code: as a closure made per call it deoptimised between calls and swung 7-60M.
 */
function rawLoopPass(events: number, pagesTouched: Int32Array, entries: readonly bigint[], c: RawColumns): void {
  const { refcount, step, task, kind, level, pfn, before, after, entry, cause } = c
  for (let i = 0; i < events; i++) {
    const p = pagesTouched[i]!
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
}

export function rawLoopEventsPerSecond(events: number): number {
  const columns: RawColumns = {
    refcount: new Int32Array(RAW_LOOP_PAGES),
    step: new Int32Array(events),
    task: new Uint16Array(events),
    kind: new Uint8Array(events),
    level: new Uint8Array(events),
    pfn: new Float64Array(events),
    before: new Float64Array(events),
    after: new Float64Array(events),
    entry: new BigUint64Array(events),
    cause: new Uint16Array(events),
  }
  // Pre-fault every page of every column (and the refcounts) before anything is timed.
  const { entry, ...numeric } = columns
  for (const a of Object.values(numeric)) a.fill(1)
  entry.fill(1n)
  // Entry values come from a table, as if encoded elsewhere: the loop measures storage, not BigInt math.
  const entries = Array.from({ length: 1024 }, (_, i) => (BigInt(i) << 21n) | 0x8000000000000025n)
  // The pages are drawn before timing, as the engine's come from the scenario it was given: drawing
  // them in the loop timed the generator (a double modulo and a heap number per call in V8), not the
  // stores.
  const random = rng(7)
  const pagesTouched = new Int32Array(events)
  for (let i = 0; i < events; i++) pagesTouched[i] = random(RAW_LOOP_PAGES)
  const seconds = medianSeconds(
    () => undefined,
    () => rawLoopPass(events, pagesTouched, entries, columns),
    undefined,
    RAW_LOOP_WARMUPS,
    Math.max(RUNS, 5),
  )
  if (columns.after[events - 1] === 0.5) throw new Error('unreachable: keeps the loop observable')
  return events / seconds
}

/** One run of raw SQLite writing `blobs` into a new file in one transaction (for interleavedMedians). */
export function rawSqliteRun(blobs: readonly Uint8Array[], dir: string): Timed<{ db: Database.Database; file: string; insert: Database.Statement }> {
  let n = 0
  return {
    prepare: () => {
      const file = join(dir, `raw-${n++}.sqlite`)
      const db = new Database(file)
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.exec('CREATE TABLE chunks (run_id INTEGER, chunk_no INTEGER, data BLOB, PRIMARY KEY (run_id, chunk_no))')
      return { db, file, insert: db.prepare('INSERT INTO chunks VALUES (1, ?, ?)') }
    },
    body: ({ db, insert }) => db.transaction(() => blobs.forEach((b, i) => insert.run(i, b)))(),
    cleanup: ({ db, file }) => {
      db.close()
      removeDatabase(file)
    },
  }
}

/** A database file and its WAL and shared-memory files (each figure's files go once measured, so none piles up write-back for the next). */
export function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
}
