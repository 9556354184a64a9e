/**
 * Crash safety: children saving and deleting runs are SIGKILLed at seeded random moments; after each
 * kill the store passes integrity_check and every checksum, holds every commit reported before the
 * kill, and shows nothing half-written. DAXLAB_CRASH_SEED and DAXLAB_CRASH_KILLS change the seed and
 * the number of kills (CI: the defaults below).
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { crashLoop } from './crash/harness'
import { runsWorkload } from './crash/runs-workload'
import { crashRun } from './crash/workload'
import { tempDir } from './helpers'
import { TraceStore } from '../../main/store/trace-store'

const SEED = Number(process.env.DAXLAB_CRASH_SEED ?? 20261201)
const KILLS = Number(process.env.DAXLAB_CRASH_KILLS ?? 30)

describe('crash safety', () => {
  it(`survives ${KILLS} SIGKILLs while runs are saved and deleted (seed ${SEED})`, async () => {
    const stats = await crashLoop(runsWorkload(SEED), { file: join(tempDir(), 'crash.sqlite'), kills: KILLS, seed: SEED, maxDelayMs: 600 })
    expect(stats.kills).toBe(KILLS)
    // The kills land while writes are going on: children committed work between them.
    expect(stats.commits).toBeGreaterThan(KILLS)
    console.log(`crash test: ${JSON.stringify(stats)}`)
  }, 240_000)
})


describe('crash harness bookkeeping', () => {
  // The flake this guards: the child saved run k (k % 5 == 4), reported it, deleted it and was killed
  // before its "deleted" line; the run was rightly gone but the harness called it a lost commit.
  it('accepts a run whose delete committed just before the kill, and still catches a lost one', () => {
    const store = TraceStore.open(join(tempDir(), 'book.sqlite'))
    try {
      const workload = runsWorkload(SEED)
      const id = store.saveRun(crashRun(SEED, 4))
      store.deleteRun(id)
      const inFlight = workload.initial()
      workload.record(inFlight, { op: 'saved', k: 4, id })
      workload.record(inFlight, { op: 'deleting', id })
      expect(() => workload.verify(store, inFlight)).not.toThrow()
      const lost = workload.initial()
      workload.record(lost, { op: 'saved', k: 4, id })
      expect(() => workload.verify(store, lost)).toThrow(/was committed/)
    } finally {
      store.close()
    }
  })
})
