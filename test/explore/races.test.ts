/**
 * The built-in race scenarios (topic races), explored completely, with the outcome pinned per kernel
 * (and arch where the TLB-flush fence decides). Each shows its violation on exactly the models that
 * have the bug. Sources: each scenario's `sources` and docs/explore.md.
 */
import { describe, expect, it } from 'vitest'
import { explore, type ExploreResult } from '../../main/explore/search'
import { parseScenarioText } from '../../main/formats/load'
import { resolveProfile } from '../../main/library/index'
import { exploreBuiltin, kinds } from './explore-builtin'
import { REFAULT_DURING_WAIT } from './helpers'

describe('race-gup-fast-truncate (mm/gup.c gup_fast_pte_range re-check; arch TLB flush)', () => {
  it('x86: the IPI flush waits for GUP-fast, no violation on 6.14, 6.15, 6.17', () => {
    for (const kernel of ['6.14', '6.15', '6.17']) expect(kinds(exploreBuiltin('race-gup-fast-truncate', { kernel, arch: 'x86' }))).toEqual([])
  })
  it('arm64 6.14: a transient GUP-fast reference on a truncated idle page (dax_disassociate_entry WARN)', () => {
    expect(kinds(exploreBuiltin('race-gup-fast-truncate', { kernel: '6.14', arch: 'arm64' }))).toEqual(['kernel_warning'])
  })
  it('arm64 6.15/6.17: the slow path re-faults while dax_break_layout sleeps; the truncate never wakes', () => {
    for (const kernel of ['6.15', '6.17']) expect(kinds(exploreBuiltin('race-gup-fast-truncate', { kernel, arch: 'arm64' }))).toEqual(['task_blocked'])
  })
})

describe('a fault while dax_break_layout sleeps (the arm64 finding reviewed: fs/dax.c wait_page_idle, mm/memremap.c free_zone_device_folio)', () => {
  const scenario = parseScenarioText(REFAULT_DURING_WAIT, 'refault-during-wait.yaml')
  const run = (kernel: string) => {
    const r = explore(scenario, resolveProfile(scenario, 'refault-during-wait.yaml'), { kernel, arch: 'x86' })
    expect(r.complete).toBe(true)
    return r
  }
  it('6.15+, on x86 too: the re-fault\'s mapping reference keeps the page from refcount 0, the only point that wakes the truncate', () => {
    for (const kernel of ['6.15', '6.17']) {
      const r = run(kernel)
      expect(kinds(r)).toEqual(['task_blocked'])
      expect(r.outcomes.find((o) => o.blocked.length > 0)!.blocked).toEqual(['trunc'])
      const labels = r.counterexamples[0]!.schedule.map((s) => `${s.task}: ${s.label}`)
      // The truncate's scan finds the pinned page busy and sleeps; the fault maps it again meanwhile.
      expect(labels.indexOf('trunc: dax_layout_busy_page_range: scan from index 0')).toBeLessThan(labels.indexOf('dma: fault: dax_iomap_fault insert'))
    }
  })
  it('6.14: a DAX mapping takes no reference (idle at refcount 1), so the unpin wakes the truncate: no violation', () => {
    expect(kinds(run('6.14'))).toEqual([])
  })
})

describe('race-gup-fast-special-pmd (mm/gup.c gup_fast_pmd_leaf: pmd_special -> return 0; mm/huge_memory.c vmf_insert_folio_pmd)', () => {
  const labels = (r: ExploreResult) => r.counterexamples.flatMap((c) => c.schedule.map((s) => s.label))
  it('6.15 and 6.16: the PMD is special, GUP-fast never grabs it; every pin comes from the slow path: no window, no violation, on arm64 too', () => {
    for (const kernel of ['6.15', '6.16']) {
      for (const arch of ['x86', 'arm64']) {
        const r = exploreBuiltin('race-gup-fast-special-pmd', { kernel, arch })
        expect(kinds(r)).toEqual([])
        expect(r.outcomes).toHaveLength(1)
        // Without the lockless window the arch's TLB flush makes no difference: the same schedules.
        expect(r.schedules_total).toBe(44)
        expect(r.outcomes[0]!.folios[0]).toMatchObject({ refcount: 0, mapcount: 0, pincount: 0 })
      }
    }
  })
  it('6.17 (special bit dropped) and 6.16 +special-huge-leaf-fix: GUP-fast grabs the PMD folio again, with the PTE race\'s outcome on arm64', () => {
    for (const options of [{ kernel: '6.17' }, { kernel: '6.16', patches: '+special-huge-leaf-fix' }]) {
      const pmd = exploreBuiltin('race-gup-fast-special-pmd', { ...options, arch: 'arm64' })
      expect(kinds(pmd)).toEqual(kinds(exploreBuiltin('race-gup-fast-truncate', { ...options, arch: 'arm64' })))
      expect(kinds(pmd)).toEqual(['task_blocked'])
      expect(labels(pmd)).toContain('gup-fast: try_grab_folio_fast')
      expect(kinds(exploreBuiltin('race-gup-fast-special-pmd', { ...options, arch: 'x86' }))).toEqual([])
    }
  })
  it('6.14 (devmap PMD, gup_fast_devmap_pmd_leaf): the legacy window, as on a PTE', () => {
    expect(kinds(exploreBuiltin('race-gup-fast-special-pmd', { kernel: '6.14', arch: 'arm64' }))).toEqual(['kernel_warning'])
    expect(kinds(exploreBuiltin('race-gup-fast-special-pmd', { kernel: '6.14', arch: 'x86' }))).toEqual([])
  })
})

describe('race-locked-entry-skip (fs/dax.c get_unlocked_entry 6.14, wait_entry_unlocked_exclusive xas_pause 6.15.0, xas_reset 6.16)', () => {
  it('6.14 and 6.15: the busy scan skips the entry memory_failure holds locked; blocks freed under the pin', () => {
    for (const kernel of ['6.14', '6.15']) {
      const r = exploreBuiltin('race-locked-entry-skip', { kernel })
      expect(kinds(r)).toContain('dma_after_release')
      const c = r.counterexamples.find((x) => x.kind === 'dma_after_release')!
      expect(c.schedule.map((s) => s.label)).toContain('dax_lock_folio (lock entry)')
      expect(c.schedule.at(-1)!.label).toBe('truncate_pagecache + free blocks')
      if (kernel === '6.15') expect(c.schedule.map((s) => s.label)).toContain('wait_entry_unlocked_exclusive')
    }
  })
  it('6.16 and 6.17: the waited entry is re-checked, the truncate waits for the unpin: no violation', () => {
    for (const kernel of ['6.16', '6.17']) expect(kinds(exploreBuiltin('race-locked-entry-skip', { kernel }))).toEqual([])
  })
  it('6.15 with +xas-reset-fix (a 6.15.y stable kernel with the backport): no violation', () => {
    expect(kinds(exploreBuiltin('race-locked-entry-skip', { kernel: '6.15', patches: '+xas-reset-fix' }))).toEqual([])
  })
  it('merging explores at least 10x fewer schedules than exist', () => {
    const r = exploreBuiltin('race-locked-entry-skip', { kernel: '6.15' })
    expect(r.schedules_total).toBeGreaterThanOrEqual(10 * r.schedules_executed)
  })
})

describe('race-zap-batched-put-unpin (mm/mmu_gather.c tlb_flush_mmu_free; fs/dax.c dax_layout_busy_page_range)', () => {
  it('6.14: a truncate that starts once munmap took the VMA out of i_mmap skips the busy scan (fixed in 6.15)', () => {
    const r = exploreBuiltin('race-zap-batched-put-unpin', { kernel: '6.14' })
    expect(kinds(r)).toEqual(['dma_after_release', 'kernel_warning'])
    // free_pgtables() unlinks the VMA in munmap's first step, before the TLB flush and the fput: from
    // there !mapping_mapped(), though the file reference is still held (until 2026-12-04 the lab
    // went by that reference and found only the schedule where munmap had ended: 1 of 453).
    expect(r.outcomes.find((o) => o.violations.length > 0)!.count).toBe(10)
    expect(r.schedules_total).toBe(262)
    expect(r.counterexamples[0]!.choices).toEqual(['dma', 'trunc', 'trunc'])
  })
  it('6.15+: the batched put and the pin keep the page busy until both are gone: no violation, the folio ends free', () => {
    for (const kernel of ['6.15', '6.17']) {
      const r = exploreBuiltin('race-zap-batched-put-unpin', { kernel })
      expect(kinds(r)).toEqual([])
      expect(r.outcomes).toHaveLength(1)
      expect(r.outcomes[0]!.folios[0]).toMatchObject({ refcount: 0, mapcount: 0, pincount: 0 })
    }
  })
})

describe('race-memory-failure-truncate (mm/memory-failure.c mf_generic_kill_procs, fs/dax.c dax_lock_folio)', () => {
  it('two outcomes on every kernel: poisoned (memory_failure locked first) or not recorded (entry already gone)', () => {
    for (const kernel of ['6.14', '6.15', '6.17']) {
      const r = exploreBuiltin('race-memory-failure-truncate', { kernel })
      expect(kinds(r)).toEqual([])
      expect(r.outcomes.map((o) => o.poisoned)).toEqual([['0x300000'], []])
      // Only the schedules where truncate deletes the entry before memory_failure finds the owner lose it.
      expect(r.outcomes[1]!.count).toBe(5)
    }
  })
})

describe('race-fork-pinned (mm/memory.c copy_present_ptes; mm/internal.h folio_needs_cow_for_dma is for anon folios)', () => {
  it('the child shares the pinned page; every schedule ends with the page idle and no violation, on every kernel', () => {
    for (const [kernel, idle] of [['6.14', 1], ['6.15', 0], ['6.17', 0]] as const) {
      const r = exploreBuiltin('race-fork-pinned', { kernel })
      expect(kinds(r)).toEqual([])
      expect(r.outcomes).toHaveLength(1)
      expect(r.outcomes[0]!.folios[0]).toMatchObject({ refcount: idle, mapcount: 0, pincount: 0 })
      expect(r.schedules_total).toBe(29)
    }
  })
  it('6.15: in the default schedule fork copies the entry with a reference and a mapcount before the truncate unmaps both', async () => {
    const { runBuiltin } = await import('../sim/helpers')
    const run = runBuiltin('race-fork-pinned', '6.15')
    expect(run.steps.find((s) => s.op === 'fork')!.notes).toEqual(['m: entries copied (VM_MIXEDMAP)'])
    expect(run.violations).toEqual([])
  })
})
