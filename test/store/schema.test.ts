import Database from 'better-sqlite3'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MIGRATIONS, SCHEMA_VERSION, migrate } from '../../main/store/schema'
import { StoreError, TraceStore } from '../../main/store/trace-store'
import { realRun, tempDir } from './helpers'

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

  it('upgrades a version-1 file in place and keeps its rows', () => {
    const file = join(tempDir(), 'v1.sqlite')
    const { result, scenarioText } = realRun('fsdax-pin-unpin', '6.14')
    expect(result.quirks.length).toBeGreaterThan(0)
    const old = new Database(file)
    migrate(old, 1)
    expect(old.pragma('user_version', { simple: true })).toBe(1)
    // A run as a version-1 build wrote it (no quirks column yet).
    old.prepare(`INSERT INTO sessions (id, name, created_at) VALUES (1, 'old', '2025-01-01T00:00:00.000Z')`).run()
    old.prepare(`INSERT INTO profiles (id, hash, name, arch, body) VALUES (1, 'h', 'x86-pmem-fsdax', 'x86', '{}')`).run()
    old.prepare(`INSERT INTO scenarios (id, name, hash, source) VALUES (1, 'fsdax-pin-unpin', 'h', ?)`).run(scenarioText)
    old
      .prepare(
        `INSERT INTO runs (id, session_id, scenario_id, profile_id, kernel, scheme, arch, variant, created_at, steps, violations, blocked, events, result_codec, result)
         VALUES (7, 1, 1, 1, ?, ?, ?, ?, '2025-01-01T00:00:00.000Z', ?, 0, 0, 0, 'json', ?)`,
      )
      .run(result.kernel, result.scheme, result.arch, result.variant, result.steps.length, JSON.stringify(result))
    old.close()

    const store = TraceStore.open(file)
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION)
    expect(store.listRuns()).toMatchObject([{ id: 7, session: 'old', scenario: 'fsdax-pin-unpin', kernel: result.kernel }])
    expect(store.getRun(7)!.result).toEqual(JSON.parse(JSON.stringify(result)))
    expect(store.listSessions()).toMatchObject([{ name: 'old', runs: 1 }])
    // New writes work on the upgraded file.
    expect(store.saveRun(realRun('fsdax-read-fault'))).toBe(8)
    store.close()

    const db = new Database(file, { readonly: true })
    expect(JSON.parse(db.prepare('SELECT quirks FROM runs WHERE id = 7').pluck().get() as string)).toEqual(result.quirks) // v2 backfill
    db.close()
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
    expectRefused(file, 'too-new', new RegExp(`schema version ${SCHEMA_VERSION + 1} is newer than this daxlab supports \\(${SCHEMA_VERSION}\\)`))
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
