// The sweep's thread layout through the built CLI: --jobs 1 runs the batches on the main thread, --jobs 2
// on two pool workers, and DAXLAB_SWEEP_STATS=1 reports where the CPU went, main thread and workers apart.
import { beforeAll, describe, expect, it } from 'vitest'
import { daxlab, ensureCli, tempDb } from '../cli/cli-helpers'

beforeAll(ensureCli, 120_000)

const MATRIX = ['--scenarios', 'fsdax-pin-unpin,devdax-pmd-fault', '--kernel', '6.14,6.17', '--arch', 'x86,arm64']

function statsOf(stderr: string): Record<string, number> {
  const line = stderr.split('\n').find((l) => l.startsWith('sweep stats: '))
  expect(line, stderr).toBeDefined()
  return JSON.parse(line!.slice('sweep stats: '.length))
}

describe('sweep threads', () => {
  it.each([1, 2])('--jobs %i: that many simulating threads (1: this one; N: N workers); main-thread and worker CPU reported', (jobs) => {
    const r = daxlab(['sweep', ...MATRIX, '--session', 's', '--jobs', String(jobs), '--db', tempDb()], { DAXLAB_SWEEP_STATS: '1' })
    expect(r.code, r.stderr).toBe(0)
    const stats = statsOf(r.stderr)
    expect(stats.workers).toBe(jobs === 1 ? 0 : jobs)
    expect(stats.runs).toBe(8)
    expect(stats.batches).toBeGreaterThanOrEqual(2)
    if (process.platform === 'linux') {
      // With workers, they ran the simulations and this thread planned and wrote; alone, it did all.
      if (jobs > 1) expect(stats.workerCpuMs).toBeGreaterThan(0)
      else expect(stats.workerCpuMs).toBeUndefined()
      expect(stats.mainCpuMs).toBeGreaterThan(0)
      expect(stats.writeCpuMs).toBeGreaterThanOrEqual(0)
      expect(stats.writeCpuMs).toBeLessThanOrEqual(stats.mainSweepCpuMs! + 1)
      expect(stats.mainSweepCpuMs).toBeLessThanOrEqual(stats.mainCpuMs! + 1)
    }
  })

  it('prints no stats line unless asked', () => {
    const r = daxlab(['sweep', ...MATRIX, '--session', 's', '--jobs', '1', '--db', tempDb()])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).not.toMatch(/sweep stats/)
  })
})
