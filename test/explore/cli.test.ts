/** `daxlab explore`, `daxlab run --schedule` and `--emit-schedule` through the built CLI. */
import { spawn } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, daxlab, ensureCli } from '../cli/cli-helpers'

beforeAll(ensureCli, 300_000)

const dir = mkdtempSync(join(tmpdir(), 'daxlab-explore-'))

/** Explores test/explore/big-race.yaml, sends SIGINT once stderr passes `ready`, returns the JSON printed. */
async function interruptBigRace(name: string, extra: string[], ready: (stderr: string) => boolean) {
  const file = join(dir, name)
  copyFileSync(join(process.cwd(), 'test/explore/big-race.yaml'), file)
  const child = spawn(process.execPath, [BIN, 'explore', file, '--kernel', '6.15', '--json', ...extra], { env: { ...process.env, DAXLAB_DB: '' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => (stdout += d))
  await new Promise<void>((resolve) => child.stderr.on('data', (d) => ((stderr += d), ready(stderr) && resolve())))
  child.kill('SIGINT')
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  expect(code).toBe(0)
  return JSON.parse(stdout)
}

describe('daxlab explore', () => {
  it('--json: the contract fields, the counterexample and an emitted schedule that run --schedule replays', () => {
    const file = join(dir, 'warn.json')
    const r = daxlab(['explore', 'race-gup-fast-truncate', '--kernel', '6.14', '--arch', 'arm64', '--json', '--emit-schedule', file])
    expect(r.stderr).toContain(`wrote the 6-step schedule reaching kernel_warning to ${file}`)
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out.complete).toBe(true)
    expect(out.schedules_executed).toBeGreaterThan(0)
    expect(out.states).toBeGreaterThan(out.schedules_executed)
    expect(out.pruned).toBeGreaterThan(0)
    expect(out.outcomes.map((o: { count: number; violations: string[] }) => [o.count, o.violations])).toEqual([
      [507, []],
      [1, ['kernel_warning']],
    ])
    expect(out.outcomes[0]).toHaveProperty('blocked', [])
    expect(out.outcomes[0].folios[0]).toMatchObject({ pfn: '0x300000', refcount: 1 })
    expect(out.counterexamples).toHaveLength(1)
    expect(out.counterexamples[0]).toMatchObject({ kind: 'kernel_warning', length: 6 })
    expect(out.counterexamples[0].schedule[0]).toMatchObject({ task: 'dma', op: 'gup', label: 'gup-fast: read entry', racing: true })
    const schedule = JSON.parse(readFileSync(file, 'utf8'))
    expect(schedule).toEqual({ format: 'daxlab-schedule/1', scenario: 'race-gup-fast-truncate', kernel: '6.14', arch: 'arm64', tasks: ['dma', 'trunc'], choices: ['dma', 'trunc', 'trunc', 'trunc', 'dma', 'trunc'] })
    // The replay is an ordinary run (kernel and arch from the file) with the same violation.
    const replay = daxlab(['run', 'race-gup-fast-truncate', '--schedule', file, '--no-store', '--json'])
    expect(replay.code).toBe(0)
    const run = JSON.parse(replay.stdout)
    expect(run.kernel).toBe('6.14')
    expect(run.arch).toBe('arm64')
    expect(run.violations.map((v: { kind: string }) => v.kind)).toEqual(['kernel_warning'])
  }, 120_000)

  it('text: says when the search is cut, and never claims "no violation" then', () => {
    const r = daxlab(['explore', 'race-gup-fast-truncate', '--kernel', '6.17', '--max-schedules', '3'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('search: NOT complete — --max-schedules 3:')
    expect(r.stdout).toContain('no violation found so far (the search was not complete: this is not a proof)')
    const full = daxlab(['explore', 'race-gup-fast-truncate', '--kernel', '6.17'])
    expect(full.stdout).toContain('search: complete (every schedule explored)')
    expect(full.stdout).toContain('no violation in any schedule')
  }, 120_000)

  it('Ctrl-C stops a long search and prints what was found, marked not complete', async () => {
    const out = await interruptBigRace('big-race.yaml', [], (stderr) => stderr.includes('states'))
    expect(out.complete).toBe(false)
    expect(out.cut).toBe('interrupted (Ctrl-C): the states still queued were not explored')
    expect(out.states).toBeGreaterThan(0)
  }, 120_000)

  it('--jobs 2 (worker threads) gives the --jobs 1 result on the built-in races; jobs = threads used', () => {
    for (const args of [['race-gup-fast-truncate', '--kernel', '6.14', '--arch', 'arm64'], ['race-locked-entry-skip', '--kernel', '6.15']]) {
      const one = daxlab(['explore', ...args, '--json', '--jobs', '1'])
      const two = daxlab(['explore', ...args, '--json', '--jobs', '2'])
      expect(one.code).toBe(0)
      expect(two.code).toBe(0)
      const a = JSON.parse(one.stdout)
      const b = JSON.parse(two.stdout)
      expect(a.jobs).toBe(1)
      expect(b.jobs).toBe(2)
      expect({ ...b, elapsed_ms: 0, jobs: 0 }).toEqual({ ...a, elapsed_ms: 0, jobs: 0 })
      expect(a.complete).toBe(true)
    }
  }, 120_000)

  it('--jobs 2: Ctrl-C stops the workers and prints what was found, marked not complete', async () => {
    // Past the first levels (run on the main thread): the workers are busy with a level.
    const out = await interruptBigRace('big-race-jobs.yaml', ['--jobs', '2'], (stderr) => /depth ([6-9]|\d\d)/.test(stderr))
    expect(out.complete).toBe(false)
    expect(out.jobs).toBe(2)
    expect(out.cut).toBe('interrupted (Ctrl-C): the states still queued were not explored')
    expect(out.states).toBeGreaterThan(100)
    expect(out.states).toBeLessThan(48121)
  }, 120_000)

  it('refuses a scenario without concurrent: in one line', () => {
    const r = daxlab(['explore', 'fsdax-pin-unpin'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe("daxlab: error: scenario 'fsdax-pin-unpin' has no concurrent: block; there is nothing to interleave (docs/explore.md)\n")
  })
})

describe('daxlab run --schedule / --emit-schedule', () => {
  it('--emit-schedule writes the default round-robin schedule; replaying it gives the same run', () => {
    const file = join(dir, 'rr.json')
    const a = daxlab(['run', 'race-gup-fast-truncate', '--kernel', '6.15', '--no-store', '--json', '--emit-schedule', file])
    expect(a.code).toBe(0)
    const b = daxlab(['run', 'race-gup-fast-truncate', '--schedule', file, '--no-store', '--json'])
    expect(b.code).toBe(0)
    expect(JSON.parse(b.stdout)).toEqual(JSON.parse(a.stdout))
    expect(JSON.parse(readFileSync(file, 'utf8')).choices.slice(0, 5)).toEqual(['dma', 'trunc', 'dma', 'dma', 'trunc'])
  }, 60_000)

  it('a bad schedule file gets one error naming the field', () => {
    const bad = (name: string, content: unknown) => {
      const f = join(dir, name)
      writeFileSync(f, JSON.stringify(content))
      return [f, daxlab(['run', 'race-gup-fast-truncate', '--schedule', f, '--no-store'])] as const
    }
    const base = { format: 'daxlab-schedule/1', scenario: 'race-gup-fast-truncate', kernel: '6.15', tasks: ['dma', 'trunc'], choices: ['dma'] }
    let [f, r] = bad('unknown-task.json', { ...base, choices: ['dma', 'nobody'] })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(`daxlab: error: ${f}:1: choices[1]: 'nobody' is not one of tasks (dma, trunc)\n`)
    ;[f, r] = bad('other-scenario.json', { ...base, scenario: 'race-other' })
    expect(r.stderr).toBe(`daxlab: error: ${f}: scenario: the schedule is for scenario 'race-other', not 'race-gup-fast-truncate'\n`)
    ;[f, r] = bad('cannot-run.json', { ...base, choices: ['dma', 'dma', 'dma', 'dma', 'trunc', 'trunc', 'trunc', 'trunc'] })
    expect(r.stderr).toBe(`daxlab: error: ${f}: choices[7]: task 'trunc' cannot run at this point (its next step 'wait_page_idle on 0x300000 (pmem0+0x0)' is waiting)\n`)
    ;[f, r] = bad('format.json', { ...base, format: 'v2' })
    expect(r.stderr).toBe(`daxlab: error: ${f}:1: format: expected format 'daxlab-schedule/1'\n`)
  }, 60_000)

  it('--emit-schedule on a scenario without concurrent: is a usage error', () => {
    const r = daxlab(['run', 'fsdax-pin-unpin', '--no-store', '--emit-schedule', join(dir, 'x.json')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('has no concurrent: block')
  })
})
