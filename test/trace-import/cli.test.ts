/** `daxlab import-trace` and `daxlab check-trace` as users run them (the built bin, temp databases). */
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, daxlab, ensureCli, tempDb } from '../cli/cli-helpers'
import { writeTraceLog } from '../bench/trace-log'

beforeAll(ensureCli, 120_000)
/** Each test spawns the CLI several times: a loaded 2-core machine needs more than the 30 s default. */
const SPAWNS_TIMEOUT = 180_000
const FIXTURES = join(__dirname, 'fixtures')
const LEGACY = join(FIXTURES, 'tracefs-6.14-fsdax-legacy.txt')
const CONSISTENT = join(FIXTURES, 'trace-cmd-6.17-fsdax-consistent.txt')

describe('daxlab import-trace', () => {
  it('stores a tracefs trace as a run whose folios hold the last counts; runs show and export read it', () => {
    const db = tempDb()
    const r = daxlab(['import-trace', LEGACY, '--kernel', '6.14', '--session', 'real', '--fsdax-pfns', '0x240000-0x2403ff', '--json', '--db', db])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ run_id: 1, lines: 24, events: 5, skipped: [], skipped_more: 0 })
    const show = JSON.parse(daxlab(['runs', 'show', '1', '--json', '--events', 'refcount', '--db', db]).stdout)
    expect(show).toMatchObject({ kernel: '6.14', scheme: 'legacy', scenario: 'trace:tracefs-6.14-fsdax-legacy.txt', session: 'real', steps: [] })
    expect(show.folios).toEqual([{ pfn: '0x240000', order: 0, region: 'fsdax', refcount: 0, mapcount: 0, pincount: 0 }])
    expect(show.trace.map((e: { step: number; before: number; after: number; cause: string }) => [e.step, e.before, e.after, e.cause])).toEqual([
      [19, 1, 2, 'page_ref_mod'],
      [23, 2, 1, 'page_ref_mod_and_test'],
      [24, 1, 0, 'page_ref_mod_and_test'],
    ])
    const out = join(mkdtempSync(join(tmpdir(), 'daxlab-trace-')), 't.json')
    expect(daxlab(['export', 'real', '--format', 'chrome-trace', '-o', out, '--db', db]).code).toBe(0)
    expect(JSON.parse(readFileSync(out, 'utf8')).traceEvents.length).toBeGreaterThan(3)
  }, SPAWNS_TIMEOUT)

  it('reads gzip input as is, reports skipped lines, and diffs two imported sessions', () => {
    const db = tempDb()
    const dir = mkdtempSync(join(tmpdir(), 'daxlab-trace-'))
    const gz = join(dir, 'consistent.txt.gz')
    writeFileSync(gz, gzipSync(readFileSync(CONSISTENT)))
    const r = daxlab(['import-trace', gz, '--kernel', '6.17', '--name', 'c', '--session', 'a', '--json', '--db', db])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ lines: 13, events: 8, skipped: [] })
    const bad = daxlab(['import-trace', join(FIXTURES, 'malformed.txt'), '--json', '--db', db])
    expect(bad.code).toBe(0)
    expect(JSON.parse(bad.stdout).skipped).toHaveLength(8)
    copyFileSync(CONSISTENT, join(dir, 'c'))
    expect(daxlab(['import-trace', join(dir, 'c'), '--kernel', '6.17', '--session', 'b', '--db', db]).code).toBe(0)
    expect(daxlab(['diff', 'a', 'b', '--db', db]).code).toBe(0)
  }, SPAWNS_TIMEOUT)

  it('reads xz input as is (one stream or several concatenated); a truncated or corrupt xz file is one error', () => {
    const db = tempDb()
    const dir = mkdtempSync(join(tmpdir(), 'daxlab-trace-'))
    // The fixture is `xz -c tracefs-6.14-fsdax-legacy.txt` (xz 5, CRC64 check), kept so the test needs no xz(1).
    const xzFile = `${LEGACY}.xz`
    const packed = { stdout: readFileSync(xzFile) }
    const plain = JSON.parse(daxlab(['import-trace', LEGACY, '--json', '--db', db]).stdout)
    const r = daxlab(['import-trace', xzFile, '--json', '--db', db])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ ...plain, run_id: 2 })
    const both = join(dir, 'twice.xz')
    writeFileSync(both, Buffer.concat([packed.stdout, packed.stdout]))
    expect(JSON.parse(daxlab(['import-trace', both, '--json', '--db', db]).stdout)).toMatchObject({ lines: plain.lines * 2, events: plain.events * 2 })
    const cut = join(dir, 'cut.xz')
    writeFileSync(cut, packed.stdout.subarray(0, packed.stdout.length - 20))
    expect(daxlab(['import-trace', cut, '--db', db])).toMatchObject({ code: 1, stderr: expect.stringContaining('the compressed stream ends early') })
    const garbage = join(dir, 'garbage.xz')
    writeFileSync(garbage, Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 1]), Buffer.alloc(64, 0x41)])) // xz magic, then no valid header
    expect(daxlab(['check-trace', garbage, '--kernel', '6.14'])).toMatchObject({ code: 2, stderr: expect.stringContaining('xz: corrupt compressed data') })
    // `xz -c -C sha256` of the same trace: xz-embedded has no SHA-256.
    expect(daxlab(['import-trace', join(FIXTURES, 'legacy-sha256-check.txt.xz'), '--db', db])).toMatchObject({ code: 1, stderr: expect.stringContaining('recompress with xz -C crc64') })
    expect(JSON.parse(daxlab(['runs', 'list', '--json', '--db', db]).stdout)).toHaveLength(3) // nothing stored for the bad files
  }, SPAWNS_TIMEOUT)

  it('--to-scenario writes a scenario that daxlab run accepts, and reports the replay beside the trace', () => {
    const db = tempDb()
    const out = join(mkdtempSync(join(tmpdir(), 'daxlab-trace-')), 'replay.yaml')
    const r = daxlab(['import-trace', CONSISTENT, '--kernel', '6.17', '--to-scenario', out, '--json', '--db', db])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ run_id: 1, scenario: { file: out, steps: 9, kernel: '6.17', notes: [], probes: 3, disagreements: [] } })
    const run = daxlab(['run', out, '--json', '--db', db])
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout).steps.filter((s: { probe?: unknown }) => s.probe).map((s: { probe: { refcount: number } }) => s.probe.refcount)).toEqual([1, 1025, 1])
    const legacy = daxlab(['import-trace', LEGACY, '--kernel', '6.14', '--to-scenario', out, '--db', db])
    expect(legacy.code, legacy.stderr).toBe(0)
    expect(legacy.stdout).toContain('replayed on 6.14: 0 of 2 probes agree with the trace')
    expect(legacy.stdout).toContain('line 19: pfn 0x240000: trace refcount 2 mapcount 1, model refcount 2 mapcount 0')
    const none = join(dirname(out), 'none.yaml')
    const empty = daxlab(['import-trace', join(FIXTURES, 'latency-4.9-pin-leak.txt'), '--to-scenario', none, '--db', db])
    expect(empty).toMatchObject({ code: 1, stderr: expect.stringContaining('nothing written to') })
    expect(existsSync(none)).toBe(false)
  }, SPAWNS_TIMEOUT)

  it('one clear error for a bad flag or a missing file', () => {
    const db = tempDb()
    expect(daxlab(['import-trace', LEGACY, '--kernel', '5.10', '--db', db])).toMatchObject({ code: 2, stderr: expect.stringContaining('--kernel') })
    expect(daxlab(['import-trace', LEGACY, '--arch', 'sparc', '--db', db])).toMatchObject({ code: 2, stderr: expect.stringContaining("--arch: 'sparc'") })
    expect(daxlab(['import-trace', LEGACY, '--fsdax-pfns', '0x10-0x5', '--db', db])).toMatchObject({ code: 2, stderr: expect.stringContaining('--fsdax-pfns') })
    expect(daxlab(['import-trace', '/nonexistent/t.txt', '--db', db])).toMatchObject({ code: 1, stderr: expect.stringContaining('no such file') })
  }, SPAWNS_TIMEOUT)
})

describe('daxlab check-trace', () => {
  it('exit 1 with the findings for a legacy breach, 0 for a consistent trace, also from a stored run', () => {
    expect(daxlab(['check-trace', LEGACY, '--kernel', '6.14']).code).toBe(0) // no FS DAX pfn known: nothing to hold it to
    const breach = daxlab(['check-trace', LEGACY, '--kernel', '6.14', '--fsdax-pfns', '0x240000-0x2403ff', '--json'])
    expect(breach.code, breach.stderr).toBe(1)
    expect(JSON.parse(breach.stdout)).toMatchObject({ kernel: '6.14', scheme: 'legacy', consistent: false, findings: [{ rule: 'idle_count' }, { rule: 'legacy_fsdax_refcount_zero', line: 24, pfn: '0x240000' }] })
    const ok = daxlab(['check-trace', CONSISTENT, '--kernel', '6.17', '--fsdax-pfns', '0x120000-0x1201ff'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('consistent with the 6.17 model')
    const db = tempDb()
    daxlab(['import-trace', LEGACY, '--kernel', '6.14', '--fsdax-pfns', '0x240000-0x2403ff', '--db', db])
    daxlab(['run', 'fsdax-pin-unpin', '--kernel', '6.14', '--db', db])
    const stored = daxlab(['check-trace', '1', '--kernel', '6.14', '--json', '--db', db])
    expect(stored.code).toBe(1)
    expect(JSON.parse(stored.stdout).findings).toEqual(JSON.parse(breach.stdout).findings)
    expect(daxlab(['check-trace', '2', '--kernel', '6.14', '--db', db])).toMatchObject({ code: 2, stderr: expect.stringContaining('simulated run') })
  }, SPAWNS_TIMEOUT)

  it('exit 2 on errors', () => {
    expect(daxlab(['check-trace', LEGACY])).toMatchObject({ code: 2 })
    expect(daxlab(['check-trace', '/nonexistent', '--kernel', '6.14'])).toMatchObject({ code: 2, stderr: expect.stringContaining('no such file') })
    expect(daxlab(['check-trace', '99', '--kernel', '6.14', '--db', tempDb()])).toMatchObject({ code: 2, stderr: expect.stringContaining('no such run') })
  }, SPAWNS_TIMEOUT)

  it('a gzip log cut or corrupted mid-file stores nothing, after event slices were already written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daxlab-trace-'))
    const file = join(dir, 'big.txt.gz')
    // ~100k events: several 65,536-event slices reach the store (the writer thread) before the cut.
    await writeTraceLog(file, { bytes: 16e6, pfns: 1024, gzip: true })
    const packed = readFileSync(file)
    const cut = join(dir, 'cut.txt.gz')
    writeFileSync(cut, packed.subarray(0, Math.floor(packed.length * 0.8)))
    const corrupt = join(dir, 'corrupt.txt.gz')
    const bad = Buffer.from(packed)
    for (let i = Math.floor(bad.length * 0.7); i < Math.floor(bad.length * 0.7) + 64; i++) bad[i] = 0x55
    writeFileSync(corrupt, bad)
    const db = tempDb()
    expect(daxlab(['import-trace', file, '--json', '--db', db]).code).toBe(0)
    const cases = [
      ['thread', cut, 'unexpected end of file'],
      ['thread', corrupt, 'incorrect data check'],
      ['inline', cut, 'unexpected end of file'],
    ] as const
    for (const [mode, f, reason] of cases) {
      const r = daxlab(['import-trace', f, '--db', db], { DAXLAB_TRACE_WRITER: mode })
      expect(r.code, `${mode} ${f}`).toBe(1)
      expect(r.stderr.trim()).toBe(`daxlab: error: ${f}: cannot read it: ${reason}`)
    }
    const runs = JSON.parse(daxlab(['runs', 'list', '--json', '--db', db]).stdout)
    expect(runs).toHaveLength(1) // the whole file only: no half run
    const check = daxlab(['store', 'check', '--json', '--db', db])
    expect(check.code).toBe(0)
    expect(JSON.parse(check.stdout).unfinished_runs).toEqual([]) // each failure dropped the chunks it had committed
    // The next import reads back whole. Its id is 5: each failed import reserved one when it started.
    const again = JSON.parse(daxlab(['import-trace', file, '--json', '--db', db]).stdout)
    expect(again.run_id).toBe(5)
    expect(JSON.parse(daxlab(['runs', 'show', '5', '--json', '--db', db]).stdout).events).toBe(JSON.parse(daxlab(['runs', 'show', '1', '--json', '--db', db]).stdout).events)
  }, SPAWNS_TIMEOUT)

  it('a generated 40 MB gzip log is checked and imported in a heap smaller than its text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daxlab-trace-'))
    const file = join(dir, 'big.txt.gz')
    const log = await writeTraceLog(file, { bytes: 40e6, pfns: 1024, gzip: true })
    // A 32 MiB heap cannot hold the 40 MB of text: passing proves the reader streams.
    const check = spawnSync(process.execPath, ['--max-old-space-size=32', BIN, 'check-trace', file, '--kernel', '6.17', '--json'], { encoding: 'utf8' })
    expect(check.status, check.stderr).toBe(0)
    expect(JSON.parse(check.stdout)).toMatchObject({ consistent: true, pfns: 1024 })
    const db = tempDb()
    const imp = spawnSync(process.execPath, ['--max-old-space-size=96', BIN, 'import-trace', file, '--kernel', '6.17', '--json', '--db', db], { encoding: 'utf8' })
    expect(imp.status, imp.stderr).toBe(0)
    const out = JSON.parse(imp.stdout)
    // Every line is imported but the stack lines (3 of each 12-line cycle).
    expect(out).toMatchObject({ lines: log.lines, events: (log.lines / 12) * 9, skipped: [] })
    expect(out.events).toBeGreaterThan(200_000)
  }, SPAWNS_TIMEOUT)
})
