/**
 * The explorer against naive enumeration (same distinct outcomes, same number of schedules, far
 * fewer executions), its bounds, and the GUP-fast vs truncate race per kernel and arch.
 */
import { describe, expect, it } from 'vitest'
import { parseScenarioText } from '../../main/formats/load'
import { resolveProfile } from '../../main/library/index'
import { enumerateNaive, explore, outcomeKey, type ExploreOptions } from '../../main/explore/search'
import { PIN_VS_TRUNCATE } from './helpers'

const scenario = parseScenarioText(PIN_VS_TRUNCATE, 'pin-vs-truncate.yaml')
const profile = resolveProfile(scenario, 'pin-vs-truncate.yaml')
const run = (options: ExploreOptions) => explore(scenario, profile, options)

describe('pruning against naive enumeration', () => {
  for (const [kernel, arch] of [['6.14', 'arm64'], ['6.15', 'arm64'], ['6.17', 'x86']] as const) {
    it(`${kernel} ${arch}: the same distinct outcomes with the same schedule counts, from fewer executions`, () => {
      const r = run({ kernel, arch })
      const naive = enumerateNaive(scenario, profile, { kernel, arch })
      expect(r.complete).toBe(true)
      expect(new Map(r.outcomes.map((o) => [outcomeKey(o), o.count]))).toEqual(naive.outcomes)
      expect(r.schedules_total).toBe(naive.schedules)
      expect(r.schedules_executed).toBeLessThan(naive.schedules)
    })
  }

  it('arm64 6.14: 508 schedules exist, fewer than a ninth of them are executed', () => {
    const r = run({ kernel: '6.14', arch: 'arm64' })
    expect(r.schedules_total).toBe(508)
    expect(r.schedules_executed * 8).toBeLessThan(r.schedules_total)
  })
})

describe('GUP-fast vs truncate', () => {
  it('x86 (the TLB-flush IPI waits for GUP-fast): no violation in any schedule, legacy or refcounted', () => {
    for (const kernel of ['6.14', '6.15', '6.17']) {
      const r = run({ kernel, arch: 'x86' })
      expect(r.complete).toBe(true)
      expect(r.counterexamples).toEqual([])
      expect(r.outcomes).toHaveLength(1)
    }
  })

  it('arm64 6.14 (broadcast TLBI, no fence): the grab lands on a truncated idle page: the dax_disassociate_entry WARN in one schedule', () => {
    const r = run({ kernel: '6.14', arch: 'arm64' })
    expect(r.counterexamples.map((c) => c.kind)).toEqual(['kernel_warning'])
    const c = r.counterexamples[0]!
    expect(c.length).toBe(6)
    expect(c.choices).toEqual(['dma', 'trunc', 'trunc', 'trunc', 'dma', 'trunc'])
    expect(c.message).toContain('WARN_ON_ONCE in dax_disassociate_entry')
    expect(c.schedule.map((s) => s.label)).toEqual([
      'gup-fast: read entry',
      'truncate: invalidate_lock exclusive, unmap_mapping_pages',
      'tlb_finish_mmu: flush, put batched folios',
      'dax_layout_busy_page_range: scan from index 0',
      'gup-fast: try_grab_folio_fast',
      'truncate_pagecache + free blocks',
    ])
    expect(c.schedule.filter((s) => s.racing).map((s) => s.task)).toEqual(['dma', 'trunc', 'dma', 'trunc'])
    expect(r.outcomes.find((o) => o.violations.includes('kernel_warning'))!.count).toBe(1)
  })

  it('arm64 6.15+: a re-fault while the layout break sleeps keeps the page busy: the truncate never wakes', () => {
    for (const kernel of ['6.15', '6.17']) {
      const r = run({ kernel, arch: 'arm64' })
      expect(r.counterexamples.map((c) => c.kind)).toEqual(['task_blocked'])
      const hung = r.outcomes.find((o) => o.blocked.length > 0)!
      expect(hung.blocked).toEqual(['trunc'])
      expect(hung.folios[0]).toMatchObject({ refcount: 1, mapcount: 1 })
      expect(hung.count).toBe(2)
    }
  })
})

describe('bounds', () => {
  it('--max-schedules cuts the search and says what was not explored', () => {
    const r = run({ kernel: '6.14', arch: 'arm64', maxSchedules: 10 })
    expect(r.complete).toBe(false)
    expect(r.cut).toMatch(/^--max-schedules 10: \d+ state\(s\) at depth \d+ and beyond were not explored$/)
    expect(r.schedules_executed).toBe(10)
  })

  it('--preemption-bound 0 explores only the schedules that switch when a task cannot go on', () => {
    const r = run({ kernel: '6.14', arch: 'arm64', preemptionBound: 0 })
    const naive = enumerateNaive(scenario, profile, { kernel: '6.14', arch: 'arm64' })
    expect(r.complete).toBe(false)
    expect(r.cut).toContain('--preemption-bound 0')
    // dma first to the end, or trunc first to the end (switching only when it waits).
    expect(r.schedules_total).toBeLessThan(naive.schedules)
    expect(r.schedules_total).toBeGreaterThanOrEqual(2)
  })

  it('refuses a scenario without concurrent:', () => {
    const plain = parseScenarioText('name: p\ndescription: p\nprofile: x86-pmem-fsdax\nsteps:\n  - create: {file: /mnt/pmem0/a, length: 4KiB}\n', 'p.yaml')
    expect(() => explore(plain, profile)).toThrow(/has no concurrent: block/)
  })
})

describe('pruning against naive enumeration, 3 tasks', () => {
  it('race-locked-entry-skip 6.15: the same outcomes and counts as naive enumeration of all 885 schedules, from under a tenth of the executions', async () => {
    const { builtinScenario } = await import('../../main/library/index')
    const s = builtinScenario('race-locked-entry-skip')!
    const p = resolveProfile(s, 'race-locked-entry-skip')
    const r = explore(s, p, { kernel: '6.15' })
    const naive = enumerateNaive(s, p, { kernel: '6.15' })
    expect(naive.schedules).toBe(885)
    expect(r.schedules_total).toBe(885)
    expect(new Map(r.outcomes.map((o) => [outcomeKey(o), o.count]))).toEqual(naive.outcomes)
    expect(r.schedules_executed * 10).toBeLessThanOrEqual(naive.schedules)
  }, 120_000)
})
