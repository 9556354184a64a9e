/**
 * Decisions through the real helpers (issue 10, item 3): zap, fork and GUP ask vm_normal_page(),
 * pte_special()/pte_devmap() and pmd_special() of the arch-encoded entry, so what an arch's helpers set
 * has its consequence arch by arch (mm/memory.c vm_normal_page, mm/gup.c follow_page_pte and
 * gup_fast_pmd_leaf; arch pte_mkdevmap, pmd_mkspecial).
 */
import { describe, expect, it } from 'vitest'
import { builtinScenario, resolveProfile } from '../../../main/library/index'
import { EventKind } from '../../../main/sim/events'
import { runScenario } from '../../../main/sim/run'
import { kinds, probe, step } from '../helpers'

function run(name: string, kernel: string, arch: string, variant?: string) {
  const scenario = builtinScenario(name)!
  return runScenario(scenario, resolveProfile(scenario, name), { kernel, arch, ...(variant ? { variant } : {}) })
}

const pgmapEvents = (out: ReturnType<typeof run>) => {
  const cols = out.trace.events.columns()
  return Array.from(cols.kind.subarray(0, cols.count)).filter((k) => k === EventKind.PGMAP_REFS).length
}

describe('legacy devmap PTEs without the special bit (riscv, loongarch 6.11-6.14)', () => {
  it.each([
    ['riscv', undefined],
    ['loongarch', '4K'],
  ])('%s 6.14: vm_normal_page() finds a page: Bad page map and the idle reference dropped at munmap', (arch, variant) => {
    const out = run('arch-quirks-devmap-without-special', '6.14', arch, variant)
    const r = out.result
    expect(probe(r, 'mapped')).toMatchObject({ level: 'pte', refcount: 1, mapcount: 0 })
    expect(kinds(r)).toEqual(['mapcount_underflow', 'kernel_warning', 'refcount_underflow'])
    expect(r.violations[1]!.message).toContain('Bad page map')
    expect(r.violations.every((v) => v.step === 6)).toBe(true)
    expect(probe(r, 'unmapped')).toMatchObject({ refcount: 0, mapcount: -1 })
    // follow_page_pte() got a page, so no dev_pagemap reference was taken for the slow GUP.
    expect(pgmapEvents(out)).toBe(0)
  })
  it.each([
    ['x86', undefined],
    ['arm64', undefined],
    ['powerpc', undefined],
  ])('%s 6.14: pte_mkdevmap() sets SPECIAL too, so the same steps are clean', (arch, variant) => {
    const out = run('arch-quirks-devmap-without-special', '6.14', arch, variant)
    expect(kinds(out.result)).toEqual([])
    expect(probe(out.result, 'unmapped')).toMatchObject({ refcount: 1, mapcount: 0 })
    // The slow path held the pgmap for the walk: one get, one put.
    expect(pgmapEvents(out)).toBe(2)
  })
  it.each(['riscv', 'loongarch'])('%s 6.15 and 6.17: DAX PTEs are normal refcounted pages, nothing goes wrong', (arch) => {
    for (const k of ['6.15', '6.17']) {
      const r = run('arch-quirks-devmap-without-special', k, arch, arch === 'loongarch' ? '4K' : undefined).result
      expect(kinds(r), `${arch} ${k}`).toEqual([])
      expect(probe(r, 'unmapped')).toMatchObject({ refcount: 0, mapcount: 0 })
    }
  })
})

describe('the 6.15/6.16 special DAX PMD only where the arch has a PMD special bit', () => {
  it.each([
    ['x86', undefined, true],
    ['arm64', undefined, true],
    ['riscv', undefined, true],
    ['powerpc', undefined, false],
    ['loongarch', '4K', false],
  ] as const)('%s 6.16: GUP-fast bails on pmd_special: %s', (arch, variant, bails) => {
    const r = run('arch-quirks-special-pmd', '6.16', arch, variant).result
    expect(probe(r, 'pinned').level).toBe('pmd')
    expect((step(r, 3).notes ?? []).some((n) => n.includes('pmd_special'))).toBe(bails)
    expect(probe(r, 'pinned')).toMatchObject({ mapcount: 1, pincount: 2 })
  })
  it('6.17 (the special-leaf fix): no arch bails', () => {
    for (const arch of ['x86', 'arm64', 'riscv']) expect(step(run('arch-quirks-special-pmd', '6.17', arch).result, 3).notes ?? []).toEqual([])
  })
})
