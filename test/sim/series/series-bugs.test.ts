/**
 * The bugs the refcount series ("fs/dax: Fix ZONE_DEVICE page reference counts", v9, merged for 6.15)
 * and its follow-ups fixed, one built-in scenario each (library topic `series`): the violation on the
 * kernels that had the bug, none on those that fixed it. Kernels: 6.14 (before), 6.15 and 6.17
 * (after), proposal-2022 (the 2022 proposal on 6.1, which had some of the bugs and its own fixes).
 */
import { describe, expect, it } from 'vitest'
import { builtinScenario, builtinScenarioNames } from '../../../main/library/index'
import { scenarioTopic } from '../../../main/library/topic'
import { kinds, runBuiltin } from '../helpers'

const AFTER = ['6.15', '6.17'] as const

describe('series bugs, each pinned per kernel', () => {
  it('fuse/virtiofs break only index 0 (7851bf649d42 "fuse: fix dax truncate/punch_hole fault path", fs/fuse/dax.c fuse_dax_break_layouts)', () => {
    expect(kinds(runBuiltin('virtiofs-truncate-pinned', '6.14'))).toContain('dma_after_release')
    // The 2022 proposal sits on 6.1, which had the bug (the fix landed in 6.15, backported to stable only).
    expect(kinds(runBuiltin('virtiofs-truncate-pinned', 'proposal-2022'))).toContain('dma_after_release')
    for (const k of AFTER) expect(kinds(runBuiltin('virtiofs-truncate-pinned', k)), k).toEqual([])
  })
  it('busy pages of unmapped files ("fs/dax: Return unmapped busy pages from dax_layout_busy_page_range()", fs/dax.c)', () => {
    const before = runBuiltin('fsdax-truncate-after-munmap', '6.14')
    const v = before.violations.find((x) => x.kind === 'dma_after_release')!
    expect(v.step).toBe(5)
    expect(v.consequence).toMatch(/DMA into a reallocated block/)
    // The 2022 series had its own fix ("fsdax: Include unmapped inodes for page-idle detection").
    for (const k of [...AFTER, 'proposal-2022']) {
      const r = runBuiltin('fsdax-truncate-after-munmap', k)
      expect(kinds(r), k).toEqual([])
      expect(r.steps[5]!.waited, k).toBe(true)
    }
  })
  it('no idle wait at eviction ("fs/dax: Ensure all pages are idle prior to filesystem unmount", dax_break_layout_final)', () => {
    expect(kinds(runBuiltin('fsdax-unlink-pinned', '6.14'))).toContain('dma_after_release')
    expect(kinds(runBuiltin('fsdax-umount-pinned', '6.14'))).toContain('not_idle_at_unmount')
    for (const k of [...AFTER, 'proposal-2022']) {
      expect(kinds(runBuiltin('fsdax-unlink-pinned', k)), k).toEqual([])
      expect(kinds(runBuiltin('fsdax-umount-pinned', k)), k).toEqual([])
    }
  })
  it('split FS DAX folios keep page[1] order/_nr_pages without folio_reset_order (fs/dax.c dax_folio_put, 6.15-rc fix)', () => {
    const buggy = runBuiltin('series-folio-reset-order', '6.15', { patches: '-folio-reset-order' })
    expect(buggy.violations.map((x) => [x.kind, x.step])).toEqual([['corrupt_folio_state', 8]])
    expect(buggy.violations[0]!.pfn).toBe(buggy.steps[9]!.probe!.pfn)
    expect(buggy.violations[0]!.consequence).toMatch(/__lruvec_stat_mod_folio/)
    for (const k of [...AFTER, '6.14', 'proposal-2022']) expect(kinds(runBuiltin('series-folio-reset-order', k)), k).toEqual([])
  })
  it('every scenario of the series topic is one of the above', () => {
    const series = builtinScenarioNames().filter((n) => scenarioTopic(n, builtinScenario(n)) === 'series')
    expect(series.sort()).toEqual(['fsdax-truncate-after-munmap', 'fsdax-umount-pinned', 'fsdax-unlink-pinned', 'series-folio-reset-order', 'virtiofs-truncate-pinned'])
  })
})
