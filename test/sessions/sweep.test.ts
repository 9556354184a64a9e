/** `daxlab sweep` and `daxlab sessions` through the built CLI, against temp databases. */
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, daxlab, ensureCli, tempDb } from '../cli/cli-helpers'

beforeAll(ensureCli, 120_000)

/** Everything a sweep stored, keyed by matrix position, without ids or timestamps. */
function storedContent(db: string, session: string) {
  const conn = new Database(db, { readonly: true })
  try {
    return conn
      .prepare(
        `SELECT i.idx, i.kernel, i.arch, i.variant, i.status, i.reason, r.result, d.result_sha256, d.events_sha256,
                (SELECT group_concat(hex(c.data), '') FROM event_chunks c WHERE c.run_id = r.id ORDER BY c.chunk_no) AS events
         FROM session_items i JOIN sessions se ON se.id = i.session_id
         LEFT JOIN runs r ON r.id = i.run_id LEFT JOIN run_digests d ON d.run_id = r.id
         WHERE se.name = ? ORDER BY i.idx`,
      )
      .all(session)
  } finally {
    conn.close()
  }
}

const SMALL = ['--scenarios', 'fsdax-pin-unpin,devdax-pmd-fault,devdax-pud-fault', '--kernel', '6.14,6.17', '--arch', 'x86,loongarch,arm64']

describe('daxlab sweep', () => {
  it('stores identical results with --jobs 1 and --jobs 2, and records skipped combinations with their reason', () => {
    const one = tempDb()
    const two = tempDb()
    const a = daxlab(['sweep', ...SMALL, '--session', 's', '--jobs', '1', '--db', one, '--json'])
    expect(a.code, a.stderr).toBe(0)
    const b = daxlab(['sweep', ...SMALL, '--session', 's', '--jobs', '2', '--db', two])
    expect(b.code, b.stderr).toBe(0)
    const summary = JSON.parse(a.stdout)
    expect(summary).toMatchObject({ name: 's', state: 'complete', planned: 18 })
    expect(summary.items.done + summary.items.skipped).toBe(18)
    // devdax-pud-fault asks for 1 GiB device-dax alignment: not valid on arm64 4K or loongarch 16K.
    const skipped = summary.not_run.filter((i: { status: string }) => i.status === 'skipped')
    expect(skipped.length).toBeGreaterThan(0)
    expect(skipped.every((i: { reason: string }) => /dax_align_valid|ZONE_DEVICE/.test(i.reason))).toBe(true)
    expect(skipped.map((i: { scenario: string; arch: string }) => `${i.scenario} ${i.arch}`)).toContain('devdax-pud-fault loongarch')
    const left = storedContent(one, 's')
    const right = storedContent(two, 's')
    expect(left.length).toBe(18)
    expect(right).toEqual(left)
    expect(b.stderr).toMatch(/sweep s: 1[0-9]\/1[0-9] runs, \d+ skipped/)
  })

  it('refuses bad input with one line naming the option (exit 2)', () => {
    const db = tempDb()
    for (const [args, message] of [
      [['--kernel', '5.9', '--arch', 'x86'], /--kernel/],
      [['--kernel', '6.14', '--arch', 'sparc'], /--arch: unknown arch 'sparc'/],
      [['--kernel', '6.14', '--arch', 'x86', '--shard', '3/2'], /--shard/],
      [['--kernel', '6.14', '--arch', 'x86', '--jobs', '0'], /--jobs/],
    ] as const) {
      const r = daxlab(['sweep', '--scenarios', 'fsdax-pin-unpin', ...args, '--db', db])
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toMatch(message)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
    const again = daxlab(['sweep', '--scenarios', 'fsdax-pin-unpin', '--kernel', '6.14', '--arch', 'x86', '--session', 'dup', '--db', db])
    expect(again.code).toBe(0)
    const dup = daxlab(['sweep', '--scenarios', 'fsdax-pin-unpin', '--kernel', '6.14', '--arch', 'x86', '--session', 'dup', '--db', db])
    expect(dup.code).toBe(2)
    expect(dup.stderr).toMatch(/already exists.*--resume dup/)
  })

  it('a killed sweep (SIGKILL) leaves a sound store with whole runs only, and --resume finishes it', async () => {
    const db = tempDb()
    const child = spawn(process.execPath, [BIN, 'sweep', '--scenarios', 'all', '--kernel', '6.14,6.15,6.17', '--arch', 'all', '--session', 'k', '--jobs', '1', '--db', db], {
      env: { ...process.env, DAXLAB_DB: '' },
    })
    const exited = new Promise((r) => child.once('exit', r)) // listened for from the start: it could end first
    // Kill once the second progress line shows runs are being stored.
    await new Promise<void>((resolve) => {
      void exited.then(() => resolve()) // a child that ended first fails the checks below instead of hanging here
      let lines = 0
      child.stderr.on('data', (chunk: Buffer) => {
        lines += chunk.toString().split('\n').filter(Boolean).length
        if (lines >= 2) {
          child.kill('SIGKILL')
          resolve()
        }
      })
    })
    await exited
    const conn = new Database(db, { readonly: true })
    expect(conn.pragma('integrity_check', { simple: true })).toBe('ok')
    const done = conn.prepare(`SELECT count(*) FROM session_items WHERE status = 'done'`).pluck().get() as number
    const runs = conn.prepare('SELECT count(*) FROM runs').pluck().get() as number
    const pending = conn.prepare(`SELECT count(*) FROM session_items WHERE status = 'pending'`).pluck().get() as number
    // Every stored run has its whole event log: chunks add up to the run's event count.
    const torn = conn.prepare('SELECT count(*) FROM runs r WHERE r.events != COALESCE((SELECT sum(count) FROM event_chunks c WHERE c.run_id = r.id), 0)').pluck().get()
    conn.close()
    expect(runs).toBe(done)
    expect(pending).toBeGreaterThan(0)
    expect(torn).toBe(0)
    const show = JSON.parse(daxlab(['sessions', 'show', 'k', '--json', '--db', db]).stdout)
    expect(show.state).toBe('incomplete')
    const resumed = daxlab(['sweep', '--resume', 'k', '--jobs', '2', '--db', db, '--json'])
    expect(resumed.code, resumed.stderr).toBe(0)
    const after = JSON.parse(resumed.stdout)
    expect(after).toMatchObject({ state: 'complete', items: { pending: 0, failed: 0 } })
    expect(after.items.done).toBeGreaterThan(done)
    expect(after.runs).toBe(after.items.done)
  }, 120_000)

  it('Ctrl-C (SIGINT) keeps finished runs, marks the session incomplete and exits 130', async () => {
    const db = tempDb()
    const child = spawn(process.execPath, [BIN, 'sweep', '--scenarios', 'all', '--kernel', '6.14,6.15,6.17', '--arch', 'all', '--session', 'i', '--jobs', '2', '--db', db], {
      env: { ...process.env, DAXLAB_DB: '' },
    })
    const exited = new Promise((r) => child.once('exit', (c) => r(c))) // listened for from the start: it could end first
    let stderr = ''
    await new Promise<void>((resolve) => {
      void exited.then(() => resolve()) // a child that ended first fails the checks below instead of hanging here
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
        if (stderr.split('\n').filter(Boolean).length >= 2) resolve()
      })
    })
    child.kill('SIGINT')
    const code = await exited
    expect(code).toBe(130)
    expect(stderr).toMatch(/interrupted: \d+ runs of session 'i' are stored; finish with: daxlab sweep --resume i/)
    const show = JSON.parse(daxlab(['sessions', 'show', 'i', '--json', '--db', db]).stdout)
    expect(show.state).toBe('incomplete')
    expect(show.items.pending).toBeGreaterThan(0)
    expect(daxlab(['sweep', '--resume', 'i', '--db', db]).code).toBe(0)
    expect(JSON.parse(daxlab(['sessions', 'show', 'i', '--json', '--db', db]).stdout).state).toBe('complete')
  }, 120_000)

  it('--shard I/N runs disjoint slices that cover the matrix', () => {
    const dbs = [tempDb(), tempDb()]
    const parts = dbs.map((db, i) => {
      const r = daxlab(['sweep', ...SMALL, '--session', 'sh', '--shard', `${i + 1}/2`, '--db', db, '--json'])
      expect(r.code, r.stderr).toBe(0)
      return JSON.parse(daxlab(['sessions', 'show', 'sh', '--json', '--db', db]).stdout)
    })
    const idx = parts.map((p) => p.combinations.map((c: { idx: number }) => c.idx))
    expect(idx[0].filter((i: number) => idx[1].includes(i))).toEqual([])
    expect([...idx[0], ...idx[1]].sort((a, b) => a - b)).toEqual(Array.from({ length: 18 }, (_, i) => i))
    expect(parts[0].state).toBe('incomplete') // a shard alone holds only its slice of the matrix
    expect(parts[0].matrixHash).toBe(parts[1].matrixHash)
  })
})

describe('daxlab sessions', () => {
  it('lists, shows, notes, renames and deletes sessions; runs list --session checks the name', () => {
    const db = tempDb()
    expect(daxlab(['sweep', '--scenarios', 'fsdax-pin-unpin', '--kernel', '6.14,6.17', '--arch', 'x86', '--session', 'one', '--db', db]).code).toBe(0)
    expect(daxlab(['run', 'fsdax-read-fault', '--session', 'adhoc', '--db', db]).code).toBe(0)
    const list = JSON.parse(daxlab(['sessions', 'list', '--json', '--db', db]).stdout)
    expect(list.map((s: { name: string; state: string; runs: number }) => [s.name, s.state, s.runs])).toEqual([
      ['adhoc', 'complete', 1],
      ['one', 'complete', 2],
    ])
    expect(daxlab(['sessions', 'note', 'one', 'baseline', 'before', 'the', 'fix', '--db', db]).code).toBe(0)
    expect(daxlab(['sessions', 'note', 'one', '--db', db]).stdout.trim()).toBe('baseline before the fix')
    expect(daxlab(['sessions', 'rename', 'one', 'two', '--db', db]).code).toBe(0)
    const shown = daxlab(['sessions', 'show', 'two', '--db', db])
    expect(shown.stdout).toMatch(/session two: complete, 2 combinations: 2 run/)
    expect(shown.stdout).toContain('baseline before the fix')
    expect(JSON.parse(daxlab(['runs', 'list', '--session', 'two', '--json', '--db', db]).stdout)).toHaveLength(2)
    const missing = daxlab(['runs', 'list', '--session', 'one', '--db', db])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no session 'one'/)
    expect(daxlab(['sessions', 'rename', 'two', 'adhoc', '--db', db]).code).toBe(2)
    expect(daxlab(['sessions', 'show', 'nope', '--db', db]).code).toBe(2)
    const del = daxlab(['sessions', 'delete', 'two', '--db', db])
    expect(del.stdout).toMatch(/deleted session 'two' and its 2 runs/)
    expect(JSON.parse(daxlab(['runs', 'list', '--json', '--db', db]).stdout)).toHaveLength(1)
    const conn = new Database(db, { readonly: true })
    // The deleted session's frozen inputs went with it; the other run's stayed.
    expect(conn.prepare('SELECT count(*) FROM scenarios').pluck().get()).toBe(1)
    expect(conn.prepare('SELECT count(*) FROM session_items').pluck().get()).toBe(0)
    conn.close()
  })
})
