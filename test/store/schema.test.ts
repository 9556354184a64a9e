import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Violation } from '../../main/sim/result'
import { MIGRATIONS, SCHEMA_VERSION } from '../../main/store/schema'
import { StoreError, TraceStore } from '../../main/store/trace-store'
import type { SaveRunInput } from '../../main/store/types'
import { realRun, syntheticRun, tempDir } from './helpers'
import { downgradeToSchema6 } from './legacy-record-chunks'
import { writeLegacyStore } from './legacy-store'

const withViolations = (input: SaveRunInput, violations: Violation[]): SaveRunInput => ({ ...input, result: { ...input.result, violations } })

/** Opening must fail with a StoreError of this code that names the file, and leave the file as it was. */
function expectRefused(file: string, code: StoreError['code'], reason: RegExp): void {
  const bytes = readFileSync(file)
  let error: unknown
  try {
    TraceStore.open(file).close()
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(StoreError)
  expect((error as StoreError).code).toBe(code)
  expect((error as StoreError).message).toContain(file)
  expect((error as StoreError).message).toMatch(reason)
  expect(readFileSync(file).equals(bytes)).toBe(true)
  expect(existsSync(file + '-wal')).toBe(false)
}

describe('schema migrations', () => {
  it('ships an initial schema and at least one later migration', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1))
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(2)
  })

  for (const version of [1, 2] as const) {
    it(`opens a version-${version} file, migrates it and reads every run exactly as saved`, () => {
      const file = join(tempDir(), `v${version}.sqlite`)
      const plain = realRun('fsdax-pin-unpin', '6.14', 'old')
      expect(plain.result.quirks.length).toBeGreaterThan(0)
      // A long run whose result was gzipped, with violations in their own rows.
      const base = realRun('fsdax-read-fault', '6.17')
      const steps = Array.from({ length: 300 }, (_, i) => ({ ...base.result.steps[i % base.result.steps.length]!, index: i }))
      const violations: Violation[] = [
        { kind: 'refcount_underflow', step: 3, message: 'folio_put() on a free folio', pfn: '0x240000' },
        { kind: 'task_blocked', step: 9, message: 'truncate waits forever' },
      ]
      const long = { ...syntheticRun(9000, base), result: { ...base.result, steps, violations, events: 9000 } }
      const inputs = [plain, long]
      const ids = writeLegacyStore(file, version, inputs)

      const store = TraceStore.open(file)
      try {
        expect(store.schemaVersion()).toBe(SCHEMA_VERSION)
        expect(store.listRuns().map((r) => r.id)).toEqual([...ids].reverse())
        inputs.forEach((input, i) => {
          const run = store.getRun(ids[i]!)!
          expect(JSON.stringify(run.result, null, 2)).toBe(JSON.stringify(input.result, null, 2))
          expect(run.scenarioText).toBe(input.scenarioText)
          expect(store.getEvents(ids[i]!)).toEqual(Array.from({ length: input.trace.events.count }, (_, e) => input.trace.events.decode(e)))
        })
        expect(store.listViolations().map((v) => v.kind)).toEqual(['refcount_underflow', 'task_blocked'])
        expect(store.listViolations({ kind: 'task_blocked' })).toEqual([{ runId: ids[1], kind: 'task_blocked', step: 9, message: 'truncate waits forever', pfn: null }])
        expect(store.listSessions()).toMatchObject([{ name: 'old', runs: 1 }])
        expect(store.check()).toMatchObject({ ok: true, runs: 2, problems: [] })
        // New writes go in the new layout beside the migrated ones, and queries see both.
        const added = store.saveRun(withViolations(realRun('fsdax-read-fault'), [{ kind: 'task_blocked', step: 1, message: 'new' }]))
        expect(store.listViolations({ kind: 'task_blocked' }).map((v) => v.runId)).toEqual([ids[1], added])
        expect(store.check().ok).toBe(true)
      } finally {
        store.close()
      }
      const db = new Database(file, { readonly: true })
      try {
        expect(db.prepare('SELECT count(*) FROM runs WHERE checksum IS NULL').pluck().get()).toBe(0) // v3 backfill
        expect(db.prepare('SELECT count(*) FROM event_chunks WHERE checksum IS NULL').pluck().get()).toBe(0)
        expect(JSON.parse(db.prepare('SELECT quirks FROM runs WHERE id = ?').pluck().get(ids[0]) as string)).toEqual(plain.result.quirks) // v2 backfill
        expect(db.prepare('SELECT layout FROM runs ORDER BY id').pluck().all()).toEqual([1, 1, 2])
      } finally {
        db.close()
      }
    })
  }

  it('opens a version-6 file, whose step and violation chunks are record format 1, and reads them beside new format 2 ones', () => {
    const file = join(tempDir(), 'v6.sqlite')
    const base = realRun('fsdax-read-fault', '6.17')
    // Steps that repeat but for their index (which format 2 stores as references), in chunks of 7.
    const steps = Array.from({ length: 60 }, (_, i) => ({ ...base.result.steps[i % base.result.steps.length]!, index: i }))
    const violations: Violation[] = [{ kind: 'refcount_underflow', step: 3, message: 'folio_put() on a free folio', pfn: '0x240000' }]
    const inputs: SaveRunInput[] = [realRun('fsdax-pin-unpin', '6.14', 'old'), { ...base, result: { ...base.result, steps, violations } }]
    const written = TraceStore.open(file, { chunkRecords: 7 })
    const ids = inputs.map((input) => written.saveRun(input))
    written.close()
    downgradeToSchema6(file)
    const old = new Database(file, { readonly: true })
    try {
      expect(old.pragma('user_version', { simple: true })).toBe(6)
      const chunks = old.prepare('SELECT data FROM run_records').pluck().all() as Buffer[]
      expect(chunks.length).toBeGreaterThan(4)
      expect(chunks.every((d) => d[4] === 1)).toBe(true)
    } finally {
      old.close()
    }
    const store = TraceStore.open(file, { chunkRecords: 7 })
    try {
      expect(store.schemaVersion()).toBe(SCHEMA_VERSION)
      inputs.forEach((input, i) => expect(JSON.stringify(store.getRun(ids[i]!)!.result, null, 2)).toBe(JSON.stringify(input.result, null, 2)))
      expect(store.check()).toMatchObject({ ok: true, problems: [] })
      const added = store.saveRun(inputs[1]!)
      expect(JSON.stringify(store.getRun(added)!.result)).toBe(JSON.stringify(inputs[1]!.result))
      expect(store.check()).toMatchObject({ ok: true, problems: [] })
    } finally {
      store.close()
    }
    const db = new Database(file, { readonly: true })
    try {
      const versions = db.prepare('SELECT run_id, data FROM run_records').all() as { run_id: number; data: Buffer }[]
      expect(new Set(versions.filter((r) => r.run_id !== ids.at(-1)! + 1).map((r) => r.data[4]))).toEqual(new Set([1]))
      expect(new Set(versions.filter((r) => r.run_id === ids.at(-1)! + 1).map((r) => r.data[4]))).toEqual(new Set([2]))
    } finally {
      db.close()
    }
  })

  it('is idempotent: reopening a current file applies nothing', () => {
    const file = join(tempDir(), 'db.sqlite')
    TraceStore.open(file).close()
    const store = TraceStore.open(file)
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION)
    store.close()
  })
})

describe('opening files that are not (this) daxlab store', () => {
  it('refuses a text file', () => {
    const file = join(tempDir(), 'notes.txt')
    writeFileSync(file, 'hello, this is not a database\n'.repeat(20))
    expectRefused(file, 'not-daxlab', /not a daxlab database: it is not an SQLite file/)
  })

  it('refuses a short binary file', () => {
    const file = join(tempDir(), 'short.bin')
    writeFileSync(file, Buffer.from([1, 2, 3]))
    expectRefused(file, 'not-daxlab', /not an SQLite file/)
  })

  it("refuses another application's SQLite database", () => {
    const file = join(tempDir(), 'other.sqlite')
    const db = new Database(file)
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)')
    db.close()
    expectRefused(file, 'not-daxlab', /without daxlab's marker \(tables: notes/)
    const tagged = join(tempDir(), 'tagged.sqlite')
    const t = new Database(tagged)
    t.pragma('application_id = 1234')
    t.close()
    expectRefused(tagged, 'not-daxlab', /another application \(application_id 0x4d2\)/)
  })

  it('refuses a store written by a newer daxlab', () => {
    const file = join(tempDir(), 'future.sqlite')
    TraceStore.open(file).close()
    const db = new Database(file)
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`)
    db.close()
    const hash = createHash('sha256').update(readFileSync(file)).digest('hex')
    expectRefused(file, 'too-new', new RegExp(`schema version ${SCHEMA_VERSION + 1} is newer than this daxlab supports \\(${SCHEMA_VERSION}\\)`))
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(hash)
    expect(readdirSync(dirname(file))).toEqual(['future.sqlite'])
  })

  it('refuses a directory', () => {
    const dir = join(tempDir(), 'a-dir')
    mkdirSync(dir)
    expect(() => TraceStore.open(dir)).toThrow(StoreError)
  })

  it('initialises an empty file', () => {
    const file = join(tempDir(), 'empty.sqlite')
    writeFileSync(file, '')
    const store = TraceStore.open(file)
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION)
    store.close()
  })
})
