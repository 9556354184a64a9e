/**
 * How many pages one try_grab_folio()/gup_put_folio() covers, as the kernel batches them:
 * - gup-fast on a refcounted PMD leaf (6.17): gup_fast_pmd_leaf() takes refs = every page of the range
 *   inside the leaf with one try_grab_folio_fast(page, refs); a legacy devmap PMD (6.14) goes page by
 *   page (gup_fast_devmap_leaf);
 * - the slow path on a 6.15+ DAX PMD: follow_huge_pmd() takes the first page and sets ctx->page_mask,
 *   __get_user_pages() the rest with one try_grab_folio(folio, page_increm - 1);
 * - unpin_user_pages() puts each run of pages of one folio with one gup_put_folio(folio, nr)
 *   (gup_folio_next); put_page() goes page by page.
 * The explorer's split GUP batches the same way.
 */
import { describe, expect, it } from 'vitest'
import { EventKind } from '../../main/sim/events'
import type { RunOutput } from '../../main/sim/run'
import { runYaml } from './helpers'

const DEVDAX = 'name: b\ndescription: d\nprofile: {name: p, arch: x86, regions: [{name: dax0, type: devdax, size: 1GiB, align: 2MiB}]}\n'

/** The refcount and pincount changes of step `index`: [kind, before, after, cause]. */
function counts(out: RunOutput, index: number): [string, number, number, string][] {
  const c = out.trace.events.columns()
  const rows: [string, number, number, string][] = []
  for (let i = 0; i < c.count; i++) {
    if (c.step[i] !== index || (c.kind[i] !== EventKind.REFCOUNT && c.kind[i] !== EventKind.PINCOUNT)) continue
    rows.push([c.kind[i] === EventKind.REFCOUNT ? 'ref' : 'pin', c.before[i]!, c.after[i]!, out.trace.events.causes[c.cause[i]!]!])
  }
  return rows
}

describe('GUP batching', () => {
  const pinned = `${DEVDAX}steps:\n  - mmap: {id: m, device: dax0, length: 2MiB}\n  - access: {map: m, offset: 0}\n  - gup: {id: g, map: m, offset: 8KiB, pages: 16, pin: true}\n  - unpin: {gup: g}\n`

  it('6.17 gup-fast grabs the 16 pages of a PMD leaf at once; unpin puts them at once', () => {
    const out = runYaml(pinned, '6.17')
    expect(counts(out, 2)).toEqual([
      ['ref', 2, 18, 'gup-fast: try_grab_folio_fast(FOLL_PIN)'],
      ['pin', 0, 16, 'gup-fast: try_grab_folio_fast(FOLL_PIN): atomic_add(_pincount)'],
    ])
    expect(counts(out, 3)).toEqual([
      ['pin', 16, 0, 'gup_put_folio: atomic_sub(_pincount)'],
      ['ref', 18, 2, 'gup_put_folio'],
    ])
    expect(out.result.steps[2]!.message).toBe('16 pages pinned')
  })

  it('6.14 gup-fast on a devmap PMD takes the pages one by one; unpin still puts per folio', () => {
    const out = runYaml(pinned, '6.14')
    const grabs = counts(out, 2)
    expect(grabs).toHaveLength(32)
    expect(grabs.filter(([kind]) => kind === 'ref').map(([, before, after]) => after - before)).toEqual(Array(16).fill(1))
    expect(counts(out, 3)).toEqual([
      ['pin', 16, 0, 'gup_put_folio: atomic_sub(_pincount)'],
      ['ref', 17, 1, 'gup_put_folio'],
    ])
  })

  it('a FOLL_GET released with put goes page by page (put_page)', () => {
    const out = runYaml(`${DEVDAX}steps:\n  - mmap: {id: m, device: dax0, length: 2MiB}\n  - access: {map: m, offset: 0}\n  - gup: {id: g, map: m, pages: 4}\n  - put: {gup: g}\n`, '6.17')
    expect(counts(out, 2)).toEqual([['ref', 2, 6, 'gup-fast: try_grab_folio_fast(FOLL_GET)']])
    expect(counts(out, 3).map(([, before, after]) => [before, after])).toEqual([[6, 5], [5, 4], [4, 3], [3, 2]])
  })

  it('a grab stops at the end of the leaf: 8 pages across two PMDs are two grabs', () => {
    const out = runYaml(`${DEVDAX}steps:\n  - mmap: {id: m, device: dax0, length: 4MiB}\n  - access: {map: m, offset: 0}\n  - access: {map: m, offset: 2MiB}\n  - gup: {id: g, map: m, offset: 2080768, pages: 8}\n`, '6.17')
    // 2 MiB - 16 KiB: 4 pages in the first PMD, 4 in the second.
    expect(counts(out, 3).map(([, before, after]) => after - before)).toEqual([4, 4])
  })

  it('6.15 slow path on an FS DAX PMD: follow_huge_pmd takes one page, __get_user_pages the rest at once', () => {
    const out = runYaml('name: b\ndescription: d\nprofile: x86-pmem-fsdax\nsteps:\n  - create: {file: /mnt/pmem0/f, length: 2MiB}\n  - mmap: {id: m, file: /mnt/pmem0/f, length: 2MiB}\n  - access: {map: m, offset: 0, size: pmd}\n  - gup: {id: g, map: m, pages: 4, pin: true}\n', '6.15')
    expect(counts(out, 3).map(([kind, before, after, cause]) => [kind, after - before, cause])).toEqual([
      ['ref', 1, 'gup-slow: try_grab_folio(FOLL_PIN)'],
      ['pin', 1, 'gup-slow: try_grab_folio(FOLL_PIN): atomic_add(_pincount)'],
      ['ref', 3, '__get_user_pages: try_grab_folio(page_increm - 1, FOLL_PIN)'],
      ['pin', 3, '__get_user_pages: try_grab_folio(page_increm - 1, FOLL_PIN): atomic_add(_pincount)'],
    ])
  })

  it("the explorer's split GUP-fast on a 6.17 FS DAX PMD grabs the range at once", () => {
    const text = 'name: b\ndescription: d\nprofile: x86-pmem-fsdax\nsteps:\n  - create: {file: /mnt/pmem0/f, length: 2MiB}\n  - mmap: {task: dma, id: m, file: /mnt/pmem0/f, length: 2MiB}\n  - access: {task: dma, map: m, offset: 0, write: true, size: pmd}\nconcurrent:\n  - task: dma\n    steps:\n      - gup: {id: g, map: m, pages: 4, pin: true}\n      - unpin: {gup: g}\n  - task: other\n    steps:\n      - probe: {label: p, map: m, offset: 0}\n'
    const out = runYaml(text, '6.17')
    const c = out.trace.events.columns()
    const grabs: number[] = []
    for (let i = 0; i < c.count; i++) {
      if (c.kind[i] === EventKind.REFCOUNT && out.trace.events.causes[c.cause[i]!]!.startsWith('gup-fast: try_grab_folio_fast')) grabs.push(c.after[i]! - c.before[i]!)
    }
    expect(grabs).toEqual([4])
  })
})
