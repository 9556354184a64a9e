/** Session archives and the session diff through the built CLI: round trips, refusals, merges, exit codes. */
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { contentChecksum } from '../../main/store/sessions/archive-format'
import { daxlab, ensureCli, tempDb } from '../cli/cli-helpers'

beforeAll(ensureCli, 120_000)

const MATRIX = ['--scenarios', 'fsdax-pin-unpin,fsdax-truncate-after-munmap,devdax-pud-fault', '--arch', 'x86,arm64,loongarch']

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

function sweep(db: string, session: string, kernels: string, extra: string[] = []) {
  const r = daxlab(['sweep', ...MATRIX, '--kernel', kernels, '--session', session, '--jobs', '2', '--db', db, ...extra])
  expect(r.code, r.stderr).toBe(0)
}

/** One store with session `a` and its archive, shared by the tests below (each copies what it alters). */
let db: string
let archive: string
beforeAll(() => {
  db = tempDb()
  sweep(db, 'a', '6.14,6.17')
  archive = join(dirname(db), 'a.daxlab')
  const r = daxlab(['sessions', 'export', 'a', '-o', archive, '--db', db])
  expect(r.code, r.stderr).toBe(0)
  expect(r.stdout).toMatch(/exported session 'a' \(\d+ runs, \d+ bytes\)/)
}, 120_000)

describe('sessions export / import', () => {
  it('export -> import into a fresh store -> diff exits 0; the archive diffs in place too', () => {
    const fresh = tempDb()
    const imp = daxlab(['sessions', 'import', archive, '--db', fresh])
    expect(imp.code, imp.stderr).toBe(0)
    expect(imp.stdout).toMatch(/imported session 'a' \(\d+ runs\)/)
    const again = daxlab(['sessions', 'import', archive, '--db', fresh])
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/already imported as session 'a'/)
    const same = daxlab(['diff', 'a', archive, '--db', db])
    expect(same.code, same.stderr).toBe(0)
    expect(same.stdout).toMatch(/\d+ runs identical, 0 changed/)
    const json = JSON.parse(daxlab(['diff', 'a', 'a', '--db', fresh, '--json']).stdout)
    expect(json).toMatchObject({ format: 'daxlab-diff/1', identical: true, summary: { changed: 0, only_in_a: 0, only_in_b: 0 } })
    const shownA = JSON.parse(daxlab(['sessions', 'show', 'a', '--json', '--db', db]).stdout)
    const shownB = JSON.parse(daxlab(['sessions', 'show', 'a', '--json', '--db', fresh]).stdout)
    expect(shownB).toMatchObject({ state: shownA.state, planned: shownA.planned, items: shownA.items, matrixHash: shownA.matrixHash })
  })

  it('refuses every damaged class with one line saying which, leaving the store byte for byte as it was', () => {
    const store = tempDb()
    expect(daxlab(['run', 'fsdax-read-fault', '--session', 'keep', '--db', store]).code).toBe(0)
    const dir = dirname(store)
    const bytes = readFileSync(archive)
    const make = (name: string, content: Buffer) => {
      const file = join(dir, name)
      writeFileSync(file, content)
      return file
    }
    const future = join(dir, 'future.daxlab')
    copyFileSync(archive, future)
    const f = new Database(future)
    f.pragma('user_version = 999')
    f.close()
    const tampered = join(dir, 'tampered.daxlab')
    copyFileSync(archive, tampered)
    const t = new Database(tampered)
    t.prepare(`UPDATE violations SET message = 'edited' WHERE id = (SELECT min(id) FROM violations)`).run()
    t.prepare(`UPDATE runs SET kernel = '6.99' WHERE id = (SELECT min(id) FROM runs)`).run()
    t.close()
    const flipped = Buffer.from(bytes)
    // Corrupt the header of page 2, a table's B-tree root (flipping bytes in a page's unused space
    // would change nothing SQLite or the checksum reads, so the place is chosen, not random).
    const pageSize = bytes.readUInt16BE(16)
    for (let i = pageSize; i < pageSize + 12; i++) flipped[i] = flipped[i]! ^ 0xff
    const cases: [string, RegExp][] = [
      [make('truncated.daxlab', bytes.subarray(0, Math.floor(bytes.length / 3))), /truncated: its header says \d+ bytes but the file has \d+/],
      [make('foreign.daxlab', Buffer.from('{"traceEvents": []}')), /not a daxlab archive: it is not an SQLite file/],
      [make('empty.daxlab', Buffer.alloc(0)), /not a daxlab archive: the file is empty/],
      [store, /it is a daxlab trace store/],
      [future, /written with schema version 999, newer than this daxlab supports/],
      [tampered, /checksum mismatch/],
      [make('flipped.daxlab', flipped), /damaged|checksum mismatch/],
      [join(dir, 'missing.daxlab'), /no such file/],
    ]
    const other = new Database(join(dir, 'other.sqlite'))
    other.exec('CREATE TABLE t (x)')
    other.close()
    cases.push([join(dir, 'other.sqlite'), /without the archive marker/])
    const before = sha(store)
    for (const [file, reason] of cases) {
      const r = daxlab(['sessions', 'import', file, '--db', store])
      expect(r.code, file).toBe(2)
      expect(r.stderr.trim().split('\n'), file).toHaveLength(1)
      expect(r.stderr, file).toMatch(reason)
      expect(sha(store), file).toBe(before)
      // The diff refuses the same files the same way.
      if (file !== store) expect(daxlab(['diff', 'keep', file, '--db', store]).code).toBe(2)
    }
    expect(existsSync(join(dir, 'missing.daxlab'))).toBe(false)
  })

  it('imports an archive written by an older schema (no digests, no session note or matrix)', () => {
    const old = join(dirname(tempDb()), 'old.daxlab')
    copyFileSync(archive, old)
    const o = new Database(old)
    o.exec('DROP TABLE run_digests; DROP TABLE session_items; DROP TABLE imported_archives')
    o.exec('ALTER TABLE sessions DROP COLUMN note; ALTER TABLE sessions DROP COLUMN plan; ALTER TABLE sessions DROP COLUMN planned; ALTER TABLE sessions DROP COLUMN matrix_hash')
    o.pragma('user_version = 2')
    o.prepare(`UPDATE archive_meta SET value = ? WHERE key = 'content_sha256'`).run(contentChecksum(o))
    o.close()
    const store = tempDb()
    const r = daxlab(['sessions', 'import', old, '--db', store, '--as', 'old'])
    expect(r.code, r.stderr).toBe(0)
    // Digests absent from the archive are computed from the events: still identical to the original.
    const d = daxlab(['diff', 'a', 'old', '--db', store])
    expect(d.code).toBe(2) // 'a' is not in this store
    expect(daxlab(['sessions', 'import', archive, '--db', store]).code).toBe(0)
    const same = JSON.parse(daxlab(['diff', 'a', 'old', '--db', store, '--json']).stdout)
    expect(same.summary).toMatchObject({ changed: 0, only_in_a: 0, only_in_b: 0 })
    expect(same.summary.identical).toBe(same.a.runs)
    // The old archive had no matrix, so the skipped combinations are known on A's side only.
    expect(same.summary.not_run_changed).toBe(same.a.not_run)
    expect(same.not_run.every((n: { b: unknown }) => n.b === null)).toBe(true)
  })

  it('shard archives of one sweep merge into one complete session that diffs identical to the unsharded sweep', () => {
    const merged = tempDb()
    const files = [1, 2, 3].map((i) => {
      const shardDb = tempDb()
      sweep(shardDb, 'a', '6.14,6.17', ['--shard', `${i}/3`])
      const file = join(dirname(shardDb), `shard${i}.daxlab`)
      expect(daxlab(['sessions', 'export', 'a', '-o', file, '--db', shardDb]).code).toBe(0)
      return file
    })
    expect(daxlab(['sessions', 'import', files[0]!, '--db', merged]).stdout).toMatch(/imported session 'a'/)
    expect(JSON.parse(daxlab(['sessions', 'show', 'a', '--json', '--db', merged]).stdout).state).toBe('incomplete')
    expect(daxlab(['sessions', 'import', files[1]!, '--db', merged]).stdout).toMatch(/merged \d+ combinations \(\d+ runs\) into session 'a'/)
    expect(daxlab(['sessions', 'import', files[2]!, '--db', merged]).stdout).toMatch(/merged/)
    expect(daxlab(['sessions', 'import', files[2]!, '--db', merged]).stdout).toMatch(/already imported/)
    expect(JSON.parse(daxlab(['sessions', 'show', 'a', '--json', '--db', merged]).stdout).state).toBe('complete')
    const d = daxlab(['diff', 'a', archive, '--db', merged])
    expect(d.code, d.stdout).toBe(0)
    // A different session under the same name is refused, not merged.
    const clash = daxlab(['sessions', 'import', archive, '--db', db])
    expect(clash.stdout).toMatch(/already holds every combination/)
    const otherDb = tempDb()
    sweep(otherDb, 'a', '6.15')
    const r = daxlab(['sessions', 'import', archive, '--db', otherDb])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/already exists .* not a shard of the same sweep; import with --as/)
  }, 120_000)
})

describe('daxlab diff', () => {
  it('a sweep over 6.15 instead of 6.17 diffs with exit 1 and names the first divergences', () => {
    sweep(db, 'b', '6.14,6.15')
    const r = daxlab(['diff', 'a', 'b', '--db', db, '--json'])
    expect(r.code).toBe(1)
    const d = JSON.parse(r.stdout)
    expect(d.identical).toBe(false)
    expect(d.summary.identical).toBeGreaterThan(0) // the 6.14 half is the same
    const kernelPairs = d.changed.filter((c: { paired_by: string }) => c.paired_by === 'kernel')
    expect(kernelPairs.length).toBeGreaterThan(0)
    for (const c of kernelPairs) {
      expect(c.key.kernel).toBe('6.17')
      expect(c.b_key.kernel).toBe('6.15')
      expect(c.header.kernel).toEqual(['6.17', '6.15'])
    }
    // x86 PMD entries differ between 6.15 (pmd_mkspecial on refcounted DAX leaves) and 6.17.
    const pud = d.changed.find((c: { key: { scenario: string; arch: string } }) => c.key.scenario === 'devdax-pud-fault' && c.key.arch === 'x86')
    expect(pud.headline).toMatch(/^step \d+ \(.+\): folio dax0\+0x0 entry 0x[0-9a-f]+ vs 0x[0-9a-f]+/)
    expect(pud.folios[0]).toMatchObject({ region: 'dax0', offset: '0x0' })
    const text = daxlab(['diff', 'a', 'b', '--db', db])
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/\d+ runs identical, \d+ changed/)
    expect(text.stdout).not.toContain(String.fromCharCode(27)) // piped: no colour escapes
    expect(text.stdout).toContain('first divergence: ')
    const md = daxlab(['diff', 'a', 'b', '--db', db, '--markdown'])
    expect(md.code).toBe(1)
    expect(md.stdout).toMatch(/^\*\*daxlab diff\*\* A=`a` B=`b`: /)
    expect(md.stdout).toContain('| scenario | kernel | arch | profile | A | B | first divergence |')
    expect(md.stdout).toContain('| 6.17 → 6.15 |')
  })

  it('a sweep after changing one profile diffs as exactly the affected runs, with the first divergence named', () => {
    const store = tempDb()
    const dir = dirname(store)
    const profile = (size: string) => `name: pmem-test\narch: x86\nregions:\n  - name: pmem0\n    type: fsdax\n    size: ${size}\n    fs: ext4\n    mount: /mnt/pmem0\n`
    writeFileSync(join(dir, 'p1.yaml'), profile('16GiB'))
    const base = ['sweep', '--scenarios', 'fsdax-pin-unpin,fsdax-read-fault', '--kernel', '6.14,6.17', '--arch', 'x86', '--jobs', '1', '--db', store]
    expect(daxlab([...base, '--session', 'before', '--profile', join(dir, 'p1.yaml')]).code).toBe(0)
    writeFileSync(join(dir, 'p1.yaml'), profile('32GiB'))
    expect(daxlab([...base, '--session', 'after', '--profile', join(dir, 'p1.yaml')]).code).toBe(0)
    const d = JSON.parse(daxlab(['diff', 'before', 'after', '--db', store, '--json']).stdout)
    // Only the pgmap's size-dependent ref count changes; every run pairs by its profile name.
    expect(d.summary).toMatchObject({ changed: 4, identical: 0, only_in_a: 0, only_in_b: 0 })
    for (const c of d.changed) {
      expect(c.paired_by).toBe('profile')
      expect(c.pgmaps[0].name).toBe('pmem0')
      expect(c.pgmaps[0].b).toBeGreaterThan(c.pgmaps[0].a)
      expect(c.headline).toMatch(/^pgmap pmem0 refs \d+ vs \d+/)
    }
    const same = daxlab(['diff', 'after', 'after', '--db', store])
    expect(same.code).toBe(0)
  })

  it('exits 2 with one line for a missing session', () => {
    const r = daxlab(['diff', 'a', 'nope', '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no session 'nope'/)
  })
})

describe('daxlab compare RUN_A RUN_B', () => {
  it('refuses runs of different scenarios unless --force, naming them', () => {
    const runs = JSON.parse(daxlab(['runs', 'list', '--session', 'a', '--json', '--db', db]).stdout) as { id: number; scenario: string }[]
    const x = runs.find((r) => r.scenario === 'fsdax-pin-unpin')!
    const y = runs.find((r) => r.scenario === 'devdax-pud-fault')!
    const r = daxlab(['compare', String(x.id), String(y.id), '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/different scenarios .*fsdax-pin-unpin.*devdax-pud-fault.*--force/)
    expect(daxlab(['compare', String(x.id), String(y.id), '--db', db, '--force']).code).toBe(0)
  })
})
