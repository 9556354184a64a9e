// The sweep's thread layout through the built CLI: --jobs 1 and --jobs 2 both run on pool workers (the
// same path), and DAXLAB_SWEEP_STATS=1 reports where the CPU went, main thread and workers apart.
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
  it.each([1, 2])('--jobs %i runs on that many workers and reports main-thread and worker CPU', (jobs) => {
    const r = daxlab(['sweep', ...MATRIX, '--session', 's', '--jobs', String(jobs), '--db', tempDb()], { DAXLAB_SWEEP_STATS: '1' })
    expect(r.code, r.stderr).toBe(0)
    const stats = statsOf(r.stderr)
    expect(stats.workers).toBe(jobs)
    expect(stats.runs).toBe(8)
    expect(stats.batches).toBeGreaterThanOrEqual(2)
    if (process.platform === 'linux') {
      // The workers ran the simulations; this thread planned and wrote.
      expect(stats.workerCpuMs).toBeGreaterThan(0)
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
