/** `run --patches` and `compare --patches`: patch switches over a release's preset, from the CLI. */
import { beforeAll, describe, expect, it } from 'vitest'
import { daxlab, ensureCli, tempDb } from './cli-helpers'

beforeAll(ensureCli, 120_000)

const SCENARIO = 'fsdax-truncate-after-munmap'
const runJson = (...args: string[]) => {
  const r = daxlab(['run', SCENARIO, '--kernel', '6.14', '--no-store', '--json', ...args])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as { quirks: string[]; steps: { op: string; waited: boolean }[] }
}

describe('--patches', () => {
  it('6.14 plus only the busy-scan fix: truncate after munmap now waits for the pinned page', () => {
    const plain = runJson()
    const patched = runJson('--patches', '+busy-scan-unmapped')
    const truncate = (r: typeof plain) => r.steps.find((s) => s.op === 'truncate')!
    expect(truncate(plain).waited).toBe(false)
    expect(truncate(patched).waited).toBe(true)
    expect(plain.quirks.some((q) => q.startsWith('busy scan skipped'))).toBe(true)
    expect(patched.quirks.some((q) => q.startsWith('busy scan skipped'))).toBe(false)
  })

  it.each([
    [['--patches', '+nope'], "daxlab: error: --patches: unknown patch 'nope' (daxlab patches list names them) (kernel 6.14)"],
    [['--patches', 'nope'], "daxlab: error: --patches: 'nope' is not +name or -name (kernel 6.14)"],
    [['--patches', '+always-remove-entries'], "daxlab: error: --patches: patch 'always-remove-entries' depends on 'common-layout-break', which is off (kernel 6.14)"],
  ])('run %j: one line, exit 1, before anything is stored', (args, line) => {
    const db = tempDb()
    const r = daxlab(['run', SCENARIO, '--kernel', '6.14', '--db', db, ...args])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(line)
    expect(r.stdout).toBe('')
    expect(daxlab(['runs', 'list', '--db', db]).stdout.trim()).toBe('no stored runs')
  })

  it('compare applies the edits to every kernel and refuses an incoherent set for any of them', () => {
    const ok = daxlab(['compare', SCENARIO, '--kernel', '6.14,6.17', '--patches', '+busy-scan-unmapped', '--json'])
    expect(ok.code, ok.stderr).toBe(0)
    const bad = daxlab(['compare', SCENARIO, '--kernel', '6.14,6.17', '--patches', '-common-layout-break'])
    expect(bad.code).toBe(1)
    expect(bad.stderr.trim()).toBe("daxlab: error: --patches: patch 'always-remove-entries' depends on 'common-layout-break', which is off (kernel 6.17)")
  })

  it('compare of stored runs refuses --patches (exit 2)', () => {
    const r = daxlab(['compare', '1', '2', '--patches', '+busy-scan-unmapped', '--db', tempDb()])
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe('daxlab: error: --patches applies when compare runs a scenario, not to stored runs')
  })
})
