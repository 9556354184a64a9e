/**
 * A sweep whose store write fails (a full disk, a damaged store) stops and reports that error; the
 * combinations it did not get to are neither run nor marked failed, so `--resume` picks them up.
 */
import { describe, expect, it } from 'vitest'
import { builtinScenarioText, builtinProfile } from '../../main/library/index'
import type { PendingWork, SessionStore } from '../../main/store/sessions/session-store'
import { executeSweep } from '../../main/sweep/execute'

function work(count: number): PendingWork[] {
  const text = builtinScenarioText('fsdax-pin-unpin')!.text
  const profile = builtinProfile('x86-pmem-fsdax')!
  return Array.from({ length: count }, (_, idx) => ({ idx, scenarioName: 'fsdax-pin-unpin', scenarioText: text, profile, kernel: '6.17', arch: 'x86', variant: '4-level' }))
}

describe('executeSweep when a write fails', () => {
  it('rethrows the store error, stops running, and marks nothing failed', async () => {
    const written: number[] = []
    const failed: number[] = []
    const sessions = {
      chunking: { chunkEvents: 4096, chunkRecords: 8192 },
      recordPreparedRuns: (_session: string, runs: readonly { idx: number }[]) => {
        if (written.length >= 2) throw new Error('database or disk is full')
        written.push(...runs.map((r) => r.idx))
        return runs.map((r) => r.idx)
      },
      markFailed: (_session: string, idx: number) => failed.push(idx),
    } as unknown as SessionStore
    await expect(executeSweep({ sessions, session: 's', work: work(6), jobs: 1 })).rejects.toThrow('database or disk is full')
    expect(written).toEqual([0, 1])
    expect(failed).toEqual([])
  })
})
