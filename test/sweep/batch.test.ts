// A sweep's batches: one scenario and profile each, at most MAX_BATCH runs, in matrix order, covering
// the pending work exactly once; a run that throws inside a batch is a failure, the others still run.
import { describe, expect, it } from 'vitest'
import { builtinProfile, builtinScenarioText } from '../../main/library/index'
import type { PendingWork, SessionStore } from '../../main/store/sessions/session-store'
import { MAX_BATCH, planBatches, runBatch, workOf } from '../../main/sweep/batch'
import { executeSweep } from '../../main/sweep/execute'

const chunking = { chunkEvents: 4096, chunkRecords: 8192 }

function work(scenarios: readonly string[], perScenario: number): PendingWork[] {
  const profile = builtinProfile('x86-pmem-fsdax')!
  const out: PendingWork[] = []
  for (const name of scenarios) {
    const text = builtinScenarioText(name)!.text
    for (let i = 0; i < perScenario; i++) out.push({ idx: out.length, scenarioName: name, scenarioText: text, profile, kernel: i % 2 ? '6.17' : '6.14', arch: 'x86', variant: '4-level' })
  }
  return out
}

describe('planBatches', () => {
  it('cuts consecutive work of one scenario into batches of at most MAX_BATCH, in order, covering every item once', () => {
    const all = work(['fsdax-pin-unpin', 'devdax-pmd-fault', 'fsdax-gup-put'], 40)
    const batches = planBatches(all, 2, chunking)
    expect(batches.flatMap((b) => b.items.map((i) => i.idx))).toEqual(all.map((w) => w.idx))
    for (const b of batches) {
      expect(b.items.length).toBeGreaterThan(0)
      expect(b.items.length).toBeLessThanOrEqual(MAX_BATCH)
      for (const item of b.items) expect(workOf(b, item)).toEqual(all[item.idx])
    }
    expect(new Set(batches.map((b) => b.scenarioName)).size).toBe(3)
  })

  it('keeps batches small when the sweep is small, so every thread gets work', () => {
    const all = work(['fsdax-pin-unpin'], 12)
    const batches = planBatches(all, 2, chunking)
    expect(batches.length).toBeGreaterThanOrEqual(6)
  })

  it('never mixes two profiles in one batch', () => {
    const all = work(['fsdax-pin-unpin'], 4)
    const other = { ...builtinProfile('x86-pmem-fsdax')!, name: 'other' }
    const mixed = all.map((w, i) => (i % 2 ? { ...w, profile: other } : w))
    for (const b of planBatches(mixed, 1, chunking)) expect(new Set(b.items.map((i) => mixed[i.idx]!.profile.name)).size).toBe(1)
  })
})

describe('runBatch', () => {
  it('runs each item; one that throws is reported with its message and the rest still run', () => {
    const [first, second, third] = work(['fsdax-pin-unpin'], 3)
    const items = [first!, { ...second!, kernel: '5.9' }, third!].map(({ idx, kernel, arch, variant }) => ({ idx, kernel, arch, variant }))
    const bad = { scenarioName: first!.scenarioName, scenarioText: first!.scenarioText, profile: first!.profile, items, chunking }
    const out = runBatch(bad, true)
    expect(out.runs.map((r) => r.idx)).toEqual([0, 2])
    expect(out.failures).toHaveLength(1)
    expect(out.failures[0]!.idx).toBe(1)
    expect(out.failures[0]!.message).toMatch(/5\.9/)
    // Packed ahead for a worker to post back: every event chunk is an array with its own buffer.
    for (const r of out.runs) expect(Array.isArray(r.prepared.events)).toBe(true)
  })
})

describe('executeSweep with a scenario that is not a built-in', () => {
  it('parses it once on this thread; a text that does not parse marks its combinations failed with the line', async () => {
    const base = work(['fsdax-pin-unpin'], 2)
    const ownText = base[0]!.scenarioText.replace(/^name: .*$/m, 'name: my-copy')
    const badText = 'name: bad\ndescription: d\nprofile: x86-pmem-fsdax\nsteps:\n  - mmap: {id: m, device: pmem0, length: nonsense}\n'
    const items = [...base.map((w) => ({ ...w, scenarioName: 'my-copy', scenarioText: ownText })), ...base.map((w, i) => ({ ...w, idx: 2 + i, scenarioName: 'bad', scenarioText: badText }))]
    const written: number[] = []
    const failed: [number, string][] = []
    const sessions = {
      chunking,
      recordPreparedRuns: (_s: string, runs: readonly { idx: number }[]) => written.push(...runs.map((r) => r.idx)),
      markFailed: (_s: string, idx: number, reason: string) => failed.push([idx, reason]),
    } as unknown as SessionStore
    const outcome = await executeSweep({ sessions, session: 's', work: items, jobs: 1 })
    expect(outcome).toMatchObject({ done: 2, failed: 2, interrupted: false })
    expect(written.sort()).toEqual([0, 1])
    expect(failed.map(([idx]) => idx)).toEqual([2, 3])
    expect(failed[0]![1]).toMatch(/^bad\.yaml:5\b/)
  })
})
