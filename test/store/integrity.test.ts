import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { openSync, readFileSync, writeSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { StoreError, TraceStore } from '../../main/store/trace-store'
import { breakRootPage, realRun, syntheticRun, tempDir } from './helpers'

const fileHash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

/** A closed store holding a few runs; chunks of 100 events and 10 records so damage hits one of many. */
function storeWithRuns(): { file: string; ids: number[] } {
  const file = join(tempDir(), 'db.sqlite')
  const store = TraceStore.open(file, { chunkEvents: 100, chunkRecords: 10 })
  const ids = [store.saveRun(realRun('fsdax-pin-unpin', '6.14')), store.saveRun(syntheticRun(1000)), store.saveRun(realRun('fsdax-read-fault'))]
  store.close()
  return { file, ids }
}

/** Changes bytes of a BLOB column in place, as a disk or a stray write would (SQLite sees a valid file). */
function flipBlob(file: string, sql: string, patch: (data: Buffer) => void, ...params: unknown[]): void {
  const db = new Database(file)
  const row = db.prepare(`SELECT rowid, data FROM ${sql}`).get(...params) as { rowid: number; data: Buffer }
  patch(row.data)
  db.prepare(`UPDATE ${sql.split(' ')[0]} SET data = ? WHERE rowid = ?`).run(row.data, row.rowid)
  db.close()
}

function thrown(fn: () => unknown): StoreError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(StoreError)
    return e as StoreError
  }
  throw new Error('expected a StoreError')
}

describe('checksums', () => {
  it("catches two flipped bytes in an event chunk that SQLite's integrity_check calls ok", () => {
    const { file, ids } = storeWithRuns()
    const run = ids[1]!
    // Event 3 of chunk 2 has before = 3 (syntheticRun: i % 5): f64 0x4008000000000000. Flipping two
    // bytes of its exponent makes it 0x4138...: 1572864, a plausible-looking refcount.
    flipBlob(file, 'event_chunks WHERE run_id = ? AND chunk_no = 2', (d) => {
      const at = 16 + 2 * 8 * 100 + 3 * 8 + 6 // header, entry and pfn columns, event 3, high bytes
      expect(d.readDoubleLE(at - 6)).toBe(3)
      d[at] ^= 0x38
      d[at + 1] ^= 0x01
    }, run)
    const db = new Database(file, { readonly: true })
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    db.close()

    const store = TraceStore.open(file)
    try {
      expect(store.getEvents(run, { limit: 200 })).toHaveLength(200) // chunks 0 and 1 are sound
      const e = thrown(() => store.getEvents(run))
      expect(e.code).toBe('damaged')
      expect(e.message).toContain(`run ${run}: event chunk 2 (events 200..299) does not match its checksum`)
      expect(e.message).toContain(file)
      const before = fileHash(file)
      expect(() => store.saveRun(realRun('fsdax-pin-unpin'))).toThrow(/store is damaged: .*event chunk 2/)
      expect(store.readOnly).toMatch(/store is damaged/)
      store.close()
      expect(fileHash(file)).toBe(before)
    } finally {
      store.close()
    }
    const checker = TraceStore.open(file)
    const report = checker.check()
    checker.close()
    expect(report).toMatchObject({ ok: false, integrity: ['ok'], runs: 3, problems: [`run ${run}: event chunk 2 (events 200..299) does not match its checksum`] })
  })

  it('catches a damaged result, step chunk and string table, each naming its run', () => {
    const cases: { name: string; damage: (file: string, ids: number[]) => void; read: (s: TraceStore, ids: number[]) => unknown; problem: RegExp }[] = [
      {
        name: 'result',
        damage: (file, ids) => {
          const db = new Database(file)
          db.prepare(`UPDATE runs SET result = replace(result, '"kernel":"6.14"', '"kernel":"6.15"') WHERE id = ?`).run(ids[0])
          db.close()
        },
        read: (s, ids) => s.getRun(ids[0]!),
        problem: /run 1: its row \(result or string tables\) does not match its checksum/,
      },
      {
        name: 'steps chunk',
        damage: (file, ids) => flipBlob(file, "run_records WHERE run_id = ? AND kind = 'steps' AND chunk_no = 0", (d) => (d[d.length - 1] ^= 1), ids[2]),
        read: (s, ids) => s.getRun(ids[2]!),
        problem: /run 3: steps chunk 0 does not match its checksum/,
      },
      {
        name: 'string table',
        damage: (file, ids) => {
          const db = new Database(file)
          db.prepare(`UPDATE run_strings SET text = 'evil' WHERE run_id = ? AND kind = 'task' AND idx = 0`).run(ids[1])
          db.close()
        },
        read: (s, ids) => s.getEvents(ids[1]!, { limit: 1 }),
        problem: /run 2: its row \(result or string tables\) does not match its checksum/,
      },
    ]
    for (const c of cases) {
      const { file, ids } = storeWithRuns()
      c.damage(file, ids)
      const store = TraceStore.open(file)
      try {
        const e = thrown(() => c.read(store, ids))
        expect(e.code, c.name).toBe('damaged')
        expect(e.message, c.name).toMatch(c.problem)
        const report = store.check()
        expect(report.ok, c.name).toBe(false)
        expect(report.problems.join('\n'), c.name).toMatch(c.problem)
      } finally {
        store.close()
      }
    }
  })

  it('checks violations kept packed, and a store with none of this damage reports ok', () => {
    const file = join(tempDir(), 'db.sqlite')
    const store = TraceStore.open(file, { chunkRecords: 2 })
    const base = realRun('fsdax-pin-unpin')
    const id = store.saveRun({ ...base, result: { ...base.result, violations: [0, 1, 2, 3, 4].map((i) => ({ kind: 'kernel_warning' as const, step: i, message: `w${i}` })) } })
    expect(store.check()).toMatchObject({ ok: true, integrity: ['ok'], runs: 1, recordChunks: 3 + Math.ceil(base.result.steps.length / 2), problems: [] })
    store.close()
    flipBlob(file, "run_records WHERE run_id = ? AND kind = 'violations' AND chunk_no = 1", (d) => (d[30] ^= 4), id)
    const reopened = TraceStore.open(file)
    try {
      expect(() => reopened.listViolations({ kind: 'kernel_warning' })).toThrow(/run 1: violations chunk 1 does not match its checksum/)
    } finally {
      reopened.close()
    }
  })
})

describe('a store damaged where queries do not look', () => {
  it('is opened for reading but never written to', () => {
    const { file, ids } = storeWithRuns()
    // Break the root page of an index that listing and showing runs never use.
    breakRootPage(file, 'runs_kernel')
    const before = fileHash(file)

    const store = TraceStore.open(file)
    try {
      expect(store.listRuns().map((r) => r.id)).toEqual([...ids].reverse())
      expect(store.getRun(ids[0]!)!.summary.id).toBe(ids[0])
      const e = thrown(() => store.saveRun(realRun('fsdax-pin-unpin')))
      expect(e.code).toBe('damaged')
      expect(e.message).toMatch(new RegExp(`^store is damaged: ${file}: SQLite's quick_check found`))
      expect(e.message).toContain('daxlab store check')
      expect(() => store.deleteRun(ids[0]!)).toThrow(/store is damaged/)
      const report = store.check()
      expect(report.ok).toBe(false)
      expect(report.integrity).not.toEqual(['ok'])
    } finally {
      store.close()
    }
    expect(fileHash(file)).toBe(before)
  })
})

describe('a handle opened as already checked (a streamed save\'s writer thread)', () => {
  it('skips the quick_check before its first write, which a plain handle runs', () => {
    const { file } = storeWithRuns()
    // Break the root page of a table that a trusted handle's save never reads: only the check sees it.
    breakRootPage(file, 'streamed_runs')
    const plain = TraceStore.open(file)
    try {
      expect(thrown(() => plain.saveRun(realRun('fsdax-pin-unpin'))).message).toMatch(/SQLite's quick_check found/)
    } finally {
      plain.close()
    }
    const trusted = TraceStore.open(file, { checkedForWrite: true })
    try {
      expect(trusted.saveRun(realRun('fsdax-pin-unpin'))).toBeGreaterThan(0)
    } finally {
      trusted.close()
    }
  })
})

describe('a store whose schema cannot be read', () => {
  it('is refused as damaged, not as a foreign file, and left untouched', () => {
    const { file } = storeWithRuns()
    const fd = openSync(file, 'r+')
    writeSync(fd, Buffer.from([0x00, 0xff, 0xff, 0xff]), 0, 4, 100) // page 1's b-tree header, after the 100-byte file header
    closeSync(fd)
    const before = fileHash(file)
    const e = thrown(() => TraceStore.open(file))
    expect(e.code).toBe('damaged')
    expect(e.message).toMatch(new RegExp(`^store is damaged: ${file}: SQLite cannot read its schema`))
    expect(fileHash(file)).toBe(before)
  })
})
