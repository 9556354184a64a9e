/** The store as `daxlab` users meet it: `store check`, damaged and read-only stores, `runs show --json`. */
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { daxlab, ensureCli, tempDb } from '../cli/cli-helpers'
import { breakRootPage } from './helpers'

beforeAll(ensureCli, 120_000)
const fileHash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
const writableAgain: string[] = []
afterEach(() => {
  for (const p of writableAgain.splice(0)) chmodSync(p, 0o644)
})

describe('daxlab store check', () => {
  it('reports a sound store (exit 0), then the damaged chunk by run and chunk (exit 1)', () => {
    const db = tempDb()
    expect(daxlab(['run', 'fsdax-pin-unpin', '--kernel', '6.14', '--db', db]).code).toBe(0)
    expect(daxlab(['run', 'fsdax-read-fault', '--kernel', '6.17', '--db', db]).code).toBe(0)
    const ok = daxlab(['store', 'check', '--db', db])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('SQLite integrity_check: ok')
    expect(ok.stdout).toContain('checked: 2 runs, 2 event chunks')
    expect(ok.stdout).toMatch(/result: ok\n$/)
    expect(JSON.parse(daxlab(['store', 'check', '--db', db, '--json']).stdout)).toMatchObject({ file: db, ok: true, integrity: ['ok'], runs: 2, problems: [] })

    const raw = new Database(db)
    const data = raw.prepare('SELECT data FROM event_chunks WHERE run_id = 2').pluck().get() as Buffer
    data[100] ^= 0x40
    raw.prepare('UPDATE event_chunks SET data = ? WHERE run_id = 2').run(data)
    raw.close()
    const bad = daxlab(['store', 'check', '--db', db])
    expect(bad.code).toBe(1)
    expect(bad.stdout).toContain('run 2: event chunk 0 (events 0..')
    expect(bad.stdout).toMatch(/result: damaged\n$/)
    expect(bad.stderr).toMatch(/^daxlab: error: store is damaged: 1 problem\(s\) in /)
    const json = JSON.parse(daxlab(['store', 'check', '--db', db, '--json']).stdout)
    expect(json).toMatchObject({ ok: false, integrity: ['ok'] })
    expect(json.problems).toEqual([expect.stringMatching(/^run 2: event chunk 0 .* does not match its checksum$/)])
    const show = daxlab(['runs', 'show', '2', '--events', '--db', db])
    expect(show.code).toBe(1)
    expect(show.stderr).toContain('run 2: event chunk 0')
  })

  it('does not create a store where there is none', () => {
    const db = tempDb()
    const r = daxlab(['store', 'check', '--db', db])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('no trace store there')
    expect(existsSync(db)).toBe(false)
  })

  it('refuses to run into a store damaged where queries do not look, leaving it untouched', () => {
    const db = tempDb()
    expect(daxlab(['run', 'fsdax-pin-unpin', '--db', db]).code).toBe(0)
    breakRootPage(db, 'runs_kernel')
    const before = fileHash(db)
    expect(daxlab(['runs', 'list', '--db', db]).code).toBe(0) // reading still works
    const r = daxlab(['run', 'fsdax-read-fault', '--db', db])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`store is damaged: ${db}: SQLite's quick_check found`)
    expect(fileHash(db)).toBe(before)
    expect(daxlab(['store', 'check', '--db', db]).code).toBe(1)
  })
})

describe('a read-only store through the CLI', () => {
  it('lists and shows runs of a mode-444 file, leaves nothing behind, and refuses a run with one line', () => {
    const db = tempDb()
    expect(daxlab(['run', 'fsdax-pin-unpin', '--db', db]).code).toBe(0)
    chmodSync(db, 0o444)
    writableAgain.push(db)
    const before = fileHash(db)
    const list = daxlab(['runs', 'list', '--json', '--db', db])
    expect(list.code, list.stderr).toBe(0)
    expect(JSON.parse(list.stdout)).toHaveLength(1)
    expect(daxlab(['runs', 'show', '1', '--events', '--db', db]).code).toBe(0)
    expect(daxlab(['store', 'check', '--db', db]).code).toBe(0)
    const run = daxlab(['run', 'fsdax-read-fault', '--db', db])
    expect(run.code).toBe(1)
    expect(run.stderr.trim().split('\n')).toEqual([`daxlab: error: store is read-only: ${db} (the file is not writable); nothing was written`])
    expect(fileHash(db)).toBe(before)
    expect(readdirSync(dirname(db))).toEqual(['lab.sqlite'])
  })
})

describe('daxlab runs show --json', () => {
  it('prints the run exactly as `run --json` printed it', () => {
    const db = tempDb()
    for (const [scenario, kernel] of [['fsdax-truncate-while-pinned', '6.14'], ['fsdax-pin-unpin', '6.17']] as const) {
      const ran = daxlab(['run', scenario, '--kernel', kernel, '--json', '--db', db])
      expect(ran.code, ran.stderr).toBe(0)
      const { run_id, ...result } = JSON.parse(ran.stdout) as { run_id: number }
      const shown = daxlab(['runs', 'show', String(run_id), '--json', '--db', db])
      expect(shown.stdout).toBe(JSON.stringify({ run_id, session: null, ...result }, null, 2) + '\n')
    }
  })
})
