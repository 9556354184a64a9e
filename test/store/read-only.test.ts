import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../../main/store/schema'
import { StoreError, TraceStore } from '../../main/store/trace-store'
import { realRun, tempDir } from './helpers'
import { writeLegacyStore } from './legacy-store'

const fileHash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
const writableAgain: string[] = []
const restoreModes: [string, number][] = []
afterEach(() => {
  for (const p of writableAgain.splice(0)) chmodSync(p, 0o755) // so the temp dir can be removed
  for (const [p, mode] of restoreModes.splice(0)) chmodSync(p, mode)
})

/** A closed store with two runs in `dir`. */
function storeIn(dir: string): { file: string; ids: number[] } {
  const file = join(dir, 'daxlab.sqlite')
  const store = TraceStore.open(file)
  const ids = [store.saveRun(realRun('fsdax-pin-unpin')), store.saveRun(realRun('fsdax-read-fault'))]
  store.close()
  return { file, ids }
}

/** Reads everything back, then checks that a write is refused with the read-only message. */
function expectReadableNotWritable(file: string, ids: number[]): void {
  const before = fileHash(file)
  const store = TraceStore.open(file)
  try {
    expect(store.listRuns().map((r) => r.id)).toEqual([...ids].reverse())
    const input = realRun('fsdax-pin-unpin')
    expect(JSON.stringify(store.getRun(ids[0]!)!.result)).toBe(JSON.stringify(input.result))
    expect(store.getEvents(ids[0]!)).toHaveLength(input.trace.events.count)
    expect(store.check().ok).toBe(true)
    expect(store.readOnly).toMatch(/^store is read-only: /)
    let error: unknown
    try {
      store.saveRun(input)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).code).toBe('read-only')
    expect((error as StoreError).message).toMatch(new RegExp(`^store is read-only: ${file} \\(`))
    expect(() => store.deleteRun(ids[0]!)).toThrow(/store is read-only/)
  } finally {
    store.close()
  }
  expect(fileHash(file)).toBe(before)
}

describe('a read-only store', () => {
  it('is read from a mode-444 file, leaving nothing behind', () => {
    const dir = tempDir()
    const { file, ids } = storeIn(dir)
    chmodSync(file, 0o444)
    writableAgain.push(file)
    expectReadableNotWritable(file, ids)
    expect(readdirSync(dir)).toEqual(['daxlab.sqlite']) // no -wal, no -shm
  })

  it('is read from a folder that cannot be written', () => {
    const dir = join(tempDir(), 'locked')
    mkdirSync(dir)
    const { file, ids } = storeIn(dir)
    chmodSync(dir, 0o555)
    writableAgain.push(dir)
    expectReadableNotWritable(file, ids)
    expect(readdirSync(dir)).toEqual(['daxlab.sqlite'])
    expect(() => TraceStore.open(join(dir, 'new.sqlite'))).toThrow(/store is read-only: .*new\.sqlite \(its folder .* is not writable\); cannot create it there/)
  })

  it('of an earlier schema version is upgraded in memory only', () => {
    const dir = tempDir()
    const file = join(dir, 'v2.sqlite')
    const [id] = writeLegacyStore(file, 2, [realRun('fsdax-pin-unpin')])
    chmodSync(file, 0o444)
    writableAgain.push(file)
    const before = fileHash(file)
    const store = TraceStore.open(file)
    try {
      expect(store.schemaVersion()).toBe(SCHEMA_VERSION)
      expect(JSON.stringify(store.getRun(id!)!.result)).toBe(JSON.stringify(realRun('fsdax-pin-unpin').result))
    } finally {
      store.close()
    }
    expect(fileHash(file)).toBe(before)
    expect(readdirSync(dir)).toEqual(['v2.sqlite'])
  })

  // Root ignores permission bits, so the real thing runs as an unprivileged user when it can.
  const asUser = process.getuid?.() === 0 ? 65534 : undefined
  it('is read by a user without write permission, who gets the read-only error on writing', () => {
    const dir = tempDir()
    chmodSync(dir, 0o755) // the other user must reach the file
    const { file, ids } = storeIn(dir)
    chmodSync(file, 0o644) // writable by its owner only
    const copy = join(dir, 'copy.sqlite')
    copyFileSync(file, copy)
    if (asUser === undefined) chmodSync(copy, 0o444) // not root: this process is the other user
    const child = join(import.meta.dirname, 'children', 'list-runs.ts')
    // The other user loads the child and tsx from this checkout: a clone made in a mode-700 folder
    // (mktemp -d) must let it in for the test, and gets its mode back afterwards.
    const checkout = join(import.meta.dirname, '..', '..')
    const mode = statSync(checkout).mode & 0o777
    if (asUser !== undefined && (mode & 0o005) !== 0o005) {
      chmodSync(checkout, mode | 0o005)
      restoreModes.push([checkout, mode])
    }
    const run = spawnSync(process.execPath, ['--import', 'tsx', child, copy], { encoding: 'utf8', ...(asUser !== undefined ? { uid: asUser, gid: asUser } : {}), env: { ...process.env, HOME: dir } })
    expect(run.stderr).toBe('')
    const out = JSON.parse(run.stdout) as { runs: number[]; saved: string }
    expect(out.runs).toEqual([...ids].reverse())
    expect(out.saved).toMatch(new RegExp(`^store is read-only: ${copy} \\(the file is not writable\\)`))
    expect(readdirSync(dir).sort()).toEqual(['copy.sqlite', 'daxlab.sqlite'])
  })
})
