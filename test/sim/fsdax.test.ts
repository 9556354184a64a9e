/**
 * FS DAX refcounts per release, asserted against the kernel functions cited in the engine and
 * docs/kernel-model.md.
 */
import { describe, expect, it } from 'vitest'
import { kinds, probe, runBuiltin, step } from './helpers'

describe('FS DAX read fault', () => {
  it('6.14: devmap PTE, no reference, idle at 1', () => {
    const r = runBuiltin('fsdax-read-fault', '6.14')
    expect(probe(r, 'idle')).toMatchObject({ refcount: 1, mapcount: 0, entry: null })
    // x86 pte_mkdevmap: SPECIAL(9)|DEVMAP(57) + PRESENT|USER|ACCESSED|NX, pfn 0x300000 << 12
    expect(probe(r, 'mapped')).toMatchObject({ refcount: 1, mapcount: 0, entry: '0x8200000300000225', level: 'pte', mapping: '/mnt/pmem0/data' })
  })
  it.each(['6.15', '6.16', '6.17'])('%s: normal PTE holding a reference, idle at 0', (k) => {
    const r = runBuiltin('fsdax-read-fault', k)
    expect(probe(r, 'idle')).toMatchObject({ refcount: 0, mapcount: 0 })
    expect(probe(r, 'mapped')).toMatchObject({ refcount: 1, mapcount: 1, entry: '0x8000000300000025' })
  })
})

describe('GUP on FS DAX (#5, #6, #7)', () => {
  it('FOLL_GET: 1 -> 2 -> 1 in both schemes, mapcount only from 6.15', () => {
    for (const [k, mc] of [['6.14', 0], ['6.17', 1]] as const) {
      const r = runBuiltin('fsdax-gup-put', k)
      expect(probe(r, 'referenced')).toMatchObject({ refcount: 2, mapcount: mc })
      expect(probe(r, 'released')).toMatchObject({ refcount: 1, mapcount: mc })
      expect(r.pgmaps[0]!.refs).toBe(1 + (16 * 2 ** 30) / 4096) // legacy gup-fast pgmap ref was transient
    }
  })
  it('FOLL_PIN on a small folio adds GUP_PIN_COUNTING_BIAS', () => {
    for (const k of ['6.14', '6.15', '6.17']) {
      const r = runBuiltin('fsdax-pin-unpin', k)
      expect(probe(r, 'pinned').refcount).toBe(1025)
      expect(probe(r, 'pinned').pincount).toBe(0)
      expect(probe(r, 'unpinned').refcount).toBe(1)
    }
  })
  it('FOLL_LONGTERM on FS DAX is EOPNOTSUPP in every release and changes nothing', () => {
    for (const k of ['6.1', '6.14', '6.15', '6.17']) {
      const r = runBuiltin('fsdax-longterm-pin', k)
      expect(step(r, 3)).toMatchObject({ status: 'error', error: 'EOPNOTSUPP' })
      expect(r.steps[4]!.probe!.refcount).toBe(1)
    }
  })
})

describe('truncate and layout breaks (#8, #9, bugs 1, 2, 6)', () => {
  it('#8 no pins: nothing waits; 6.15+ drops the mapping reference to 0', () => {
    const legacy = runBuiltin('fsdax-truncate-mapped', '6.14')
    const refc = runBuiltin('fsdax-truncate-mapped', '6.17')
    expect(step(legacy, 4)).toMatchObject({ status: 'ok', waited: false })
    expect(step(refc, 4)).toMatchObject({ status: 'ok', waited: false })
    expect(probe(legacy, 'truncated')).toMatchObject({ refcount: 1, mapping: null })
    expect(probe(refc, 'truncated')).toMatchObject({ refcount: 0, mapping: null })
  })
  it('#9 pinned: truncate waits until the unpin in both schemes', () => {
    const legacy = runBuiltin('fsdax-truncate-while-pinned', '6.14')
    const refc = runBuiltin('fsdax-truncate-while-pinned', '6.15')
    for (const r of [legacy, refc]) {
      expect(step(r, 4)).toMatchObject({ status: 'ok', waited: true, completed_after: 6 })
      expect(r.violations).toEqual([])
    }
    expect(probe(legacy, 'waiting').refcount).toBe(1025) // unmapped, legacy idle 1 + bias
    expect(probe(refc, 'waiting').refcount).toBe(1024) // mapping ref dropped by the unmap
    expect(probe(legacy, 'after').refcount).toBe(1)
    expect(probe(refc, 'after').refcount).toBe(0)
  })
  it('bug 2: after munmap 6.14 does not wait and frees a block under DMA; 6.15 waits', () => {
    const legacy = runBuiltin('fsdax-truncate-after-munmap', '6.14')
    expect(step(legacy, 5)).toMatchObject({ status: 'ok', waited: false })
    expect(kinds(legacy)).toContain('dma_after_release')
    const refc = runBuiltin('fsdax-truncate-after-munmap', '6.15')
    expect(step(refc, 5)).toMatchObject({ status: 'ok', waited: true, completed_after: 6 })
    expect(refc.violations).toEqual([])
  })
  it('bug 1: virtiofs before 6.15 only scans index 0', () => {
    expect(kinds(runBuiltin('virtiofs-truncate-pinned', '6.14'))).toContain('dma_after_release')
    const fixed = runBuiltin('virtiofs-truncate-pinned', '6.15')
    expect(step(fixed, 4)).toMatchObject({ waited: true, status: 'ok' })
    expect(fixed.violations).toEqual([])
  })
  it('bug 6: umount waits for idle pages from 6.15 (dax_break_layout_final)', () => {
    const legacy = runBuiltin('fsdax-umount-pinned', '6.14')
    expect(kinds(legacy)).toContain('not_idle_at_unmount')
    expect(step(legacy, 5).waited).toBe(false)
    const refc = runBuiltin('fsdax-umount-pinned', '6.17')
    expect(step(refc, 5)).toMatchObject({ status: 'ok', waited: true, completed_after: 6 })
    expect(refc.violations).toEqual([])
  })
  it('evict of an unlinked, pinned file: 6.14 frees the blocks, 6.15 waits', () => {
    expect(kinds(runBuiltin('fsdax-unlink-pinned', '6.14'))).toEqual(['kernel_warning', 'dma_after_release'])
    const refc = runBuiltin('fsdax-unlink-pinned', '6.16')
    expect(step(refc, 5)).toMatchObject({ waited: true, status: 'ok' })
  })
  it('a pin never released leaves the truncating task blocked (a finding)', () => {
    for (const k of ['6.14', '6.17']) {
      const r = runBuiltin('fsdax-truncate-hang', k)
      expect(step(r, 4)).toMatchObject({ status: 'blocked', waited: true })
      expect(r.blocked).toEqual([expect.objectContaining({ task: 'trunc', step: 4, op: 'truncate', pfn: '0x300000' })])
      expect(kinds(r)).toEqual(['task_blocked'])
    }
  })
})

describe('signals and waits', () => {
  it('SIGKILL ends an interruptible layout-break wait with -ERESTARTSYS in both schemes', () => {
    for (const k of ['6.14', '6.17']) {
      const r = runBuiltin('fsdax-kill-waiters', k)
      expect(step(r, 4), k).toMatchObject({ status: 'error', error: 'ERESTARTSYS', waited: true, completed_after: 5 })
    }
  })
  it('from 6.15 the unmount wait is TASK_UNINTERRUPTIBLE: the kill stays pending and the task hangs', () => {
    const r = runBuiltin('fsdax-kill-waiters', '6.17')
    expect(step(r, 7)).toMatchObject({ status: 'blocked', waited: true })
    expect(step(r, 8).message).toBe('admin is unkillable while it waits')
    expect(r.blocked).toEqual([expect.objectContaining({ task: 'admin', op: 'umount' })])
    expect(r.violations.map((v) => v.message)).toEqual([expect.stringContaining('SIGKILL pending: TASK_UNINTERRUPTIBLE, unkillable')])
    const legacy = runBuiltin('fsdax-kill-waiters', '6.14')
    expect(step(legacy, 7)).toMatchObject({ status: 'ok', waited: false })
    expect(kinds(legacy)).toContain('not_idle_at_unmount')
  })
})

describe('punch_hole inside a PMD extent', () => {
  it('waits for a pin elsewhere in the file, splits the folio (6.15+) and frees only the punched page', () => {
    for (const k of ['6.14', '6.16', '6.17']) {
      const r = runBuiltin('fsdax-punch-hole-pmd', k)
      expect(step(r, 5), k).toMatchObject({ status: 'ok', waited: true, completed_after: 6 })
      expect(probe(r, 'punched').pfn).toBeNull()
      expect(probe(r, 'kept')).toMatchObject({ pfn: '0x300002', order: 0, refcount: k === '6.14' ? 1 : 0 })
      expect(step(r, 9).notes).toContain('pmd: fallback (iomap: extent not PMD-sized and aligned)')
      expect(r.violations).toEqual([])
    }
    expect(probe(runBuiltin('fsdax-punch-hole-pmd', '6.17'), 'pinned')).toMatchObject({ order: 9, refcount: 2, mapcount: 1, pincount: 1 })
  })
})

describe('PMD faults and large folios (#20)', () => {
  it('6.14: 512 order-0 pages, PSE|DEVMAP, pins per 4K page', () => {
    const r = runBuiltin('fsdax-pmd-fault', '6.14')
    expect(probe(r, 'mapped')).toMatchObject({ order: 0, refcount: 1, mapcount: 0, entry: '0x82000003000000a5', level: 'pmd' })
    expect(probe(r, 'pinned')).toMatchObject({ pfn: '0x300001', order: 0, refcount: 1025, pincount: 0 })
  })
  it('6.16: order-9 folio; PMD marked special (quirk); pins go to _pincount', () => {
    const r = runBuiltin('fsdax-pmd-fault', '6.16')
    expect(probe(r, 'mapped')).toMatchObject({ order: 9, refcount: 1, mapcount: 1, entry: '0x80000003000002a5' })
    expect(probe(r, 'pinned')).toMatchObject({ order: 9, refcount: 5, pincount: 4 })
    expect(step(r, 4).notes?.join()).toContain('pmd_special')
    expect(probe(r, 'released')).toMatchObject({ order: 0, refcount: 0 })
  })
  it('6.17: no special bit on the refcounted PMD, gup-fast succeeds', () => {
    const r = runBuiltin('fsdax-pmd-fault', '6.17')
    expect(probe(r, 'mapped').entry).toBe('0x80000003000000a5')
    expect(step(r, 4).notes).toBeUndefined()
  })
  it('mlock populates with PMDs and never sets VM_LOCKED', () => {
    const r = runBuiltin('fsdax-mlock', '6.17')
    expect(probe(r, 'pmd')).toMatchObject({ order: 9, refcount: 1, mapcount: 1, level: 'pmd' })
    expect(step(r, 2).notes?.[0]).toContain('faulted 3 entries')
  })
})

describe('zero page, COW, fork, memory failure', () => {
  it('a hole maps the zero page special without a reference; a write allocates', () => {
    const r = runBuiltin('fsdax-zero-page', '6.17')
    expect(probe(r, 'hole')).toMatchObject({ pfn: '0x1000', region: null, refcount: 0 })
    expect(probe(r, 'written')).toMatchObject({ pfn: '0x300000', refcount: 1, mapcount: 1 })
  })
  it('private COW and fork: 6.15+ duplicates the file rmap for copied DAX entries', () => {
    const refc = runBuiltin('fsdax-private-cow-fork', '6.17')
    expect(probe(refc, 'cow').region).toBeNull()
    expect(probe(refc, 'still-mapped')).toMatchObject({ refcount: 2, mapcount: 2 })
    expect(probe(refc, 'child-gone')).toMatchObject({ refcount: 1, mapcount: 1 })
    const legacy = runBuiltin('fsdax-private-cow-fork', '6.14')
    expect(probe(legacy, 'still-mapped')).toMatchObject({ refcount: 1, mapcount: 0 })
  })
  it('memory_failure kills the task that consumed the poison and later faults get SIGBUS', () => {
    const r = runBuiltin('fsdax-memory-failure', '6.17')
    expect(step(r, 3).notes).toContain('SIGBUS (BUS_MCEERR_AR) to victim')
    expect(probe(r, 'poisoned')).toMatchObject({ refcount: 0, mapcount: 0 })
    expect(step(r, 6).signal).toBe('SIGBUS')
    expect(r.pgmaps[0]!.refs).toBe(1 + (16 * 2 ** 30) / 4096)
  })
})
