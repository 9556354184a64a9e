/**
 * The physical limits the engine and the store are compared with, measured on the same machine in
 * the same process:
 * - rawLoop: a bare refcount loop over the engine's own trace. For each event the engine recorded,
 *   in order, it updates a refcount for that event's page and writes the same 9 event columns (step,
 *   task, kind, level, pfn, before, after, entry, cause) into arrays allocated and pre-faulted once.
 *   What is timed is the loop and the column stores, on the pages the engine touched.
 * - rawSqlite: better-sqlite3 inserting the same packed chunk BLOBs in one transaction, the least any
 *   store of those bytes has to do (timed in turn with the store figures: run.ts storeFigures).
 */
import Database from 'better-sqlite3'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Timed } from './measure'
import { STORE_PAGE_SIZE } from '../../main/store/open-file'

/** The loop runs well under 0.1 s: three untimed calls bring it to V8's top tier before it is timed. */
const RAW_LOOP_WARMUPS = 3

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

/**
 * The raw loop over `pfns` (the pfn column of the engine's trace), as a figure for interleavedMedians:
 * one pass per timed run. The pages are numbered densely in order of first use before anything is
 * timed, as the engine numbers its folio slots.
 *
 * Why the engine's own pages: until 2026-12-02 the loop drew its pages at random from 1M (4 MiB of
 * refcounts), while the device DAX mix touches about 23,000 folios. That made the baseline a measure
 * of this shared host's cache and memory latency, not of the engine's work: it read 5-35M events/s on
 * the same code over one day, while the same loop on the engine's pages read 34-46M (docs/bench.md).
 */
export function rawLoopOver(pfns: Float64Array, count: number): Timed<undefined> {
  const { pages: pagesTouched, distinct } = denseIndexes(pfns, count)
  const columns: RawColumns = {
    refcount: new Int32Array(Math.max(1, distinct)),
    step: new Int32Array(count),
    task: new Uint16Array(count),
    kind: new Uint8Array(count),
    level: new Uint8Array(count),
    pfn: new Float64Array(count),
    before: new Float64Array(count),
    after: new Float64Array(count),
    entry: new BigUint64Array(count),
    cause: new Uint16Array(count),
  }
  // Pre-fault every page of every column (and the refcounts) before anything is timed.
  const { entry, ...numeric } = columns
  for (const a of Object.values(numeric)) a.fill(1)
  entry.fill(1n)
  // Entry values come from a table, as if encoded elsewhere: the loop measures storage, not BigInt math.
  const entries = Array.from({ length: 1024 }, (_, i) => (BigInt(i) << 21n) | 0x8000000000000025n)
  for (let i = 0; i < RAW_LOOP_WARMUPS; i++) rawLoopPass(count, pagesTouched, entries, columns)
  return {
    prepare: () => undefined,
    body: () => {
      rawLoopPass(count, pagesTouched, entries, columns)
      if (columns.after[count - 1] === 0.5) throw new Error('unreachable: keeps the loop observable')
    },
  }
}

/** The first `count` pfns numbered 0, 1, 2, ... in order of first use, and how many distinct pfns there were. */
export function denseIndexes(pfns: ArrayLike<number>, count: number): { pages: Int32Array; distinct: number } {
  const dense = new Map<number, number>()
  const pages = new Int32Array(count)
  for (let i = 0; i < count; i++) {
    const pfn = pfns[i]!
    let d = dense.get(pfn)
    if (d === undefined) dense.set(pfn, (d = dense.size))
    pages[i] = d
  }
  return { pages, distinct: dense.size }
}

/** One run of raw SQLite writing `blobs` into a new file in one transaction (for interleavedMedians). */
export function rawSqliteRun(blobs: readonly Uint8Array[], dir: string): Timed<{ db: Database.Database; file: string; insert: Database.Statement }> {
  let n = 0
  return {
    prepare: () => {
      const file = join(dir, `raw-${n++}.sqlite`)
      const db = new Database(file)
      // The store's own settings: with SQLite's 4 KiB default the same bytes take ~1.2-1.35x as long
      // here (twice the pages, and the commit's auto-checkpoint copies twice as many), which the
      // store's ratio would have counted as its own speed.
      db.pragma(`page_size = ${STORE_PAGE_SIZE}`)
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = NORMAL')
      db.exec('CREATE TABLE chunks (run_id INTEGER, chunk_no INTEGER, data BLOB, PRIMARY KEY (run_id, chunk_no))')
      return { db, file, insert: db.prepare('INSERT INTO chunks VALUES (1, ?, ?)') }
    },
    // Closed inside the timed body, as the store figures close their store (run.ts intoNewStore).
    body: ({ db, insert }) => {
      db.transaction(() => blobs.forEach((b, i) => insert.run(i, b)))()
      db.close()
    },
    cleanup: ({ db, file }) => {
      if (db.open) db.close()
      removeDatabase(file)
    },
  }
}

/** A database file and its WAL and shared-memory files (each figure's files go once measured, so none piles up write-back for the next). */
export function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true })
}
