/**
 * PCI P2PDMA (p2pmem), pinned per kernel: the refcount init moved with "mm/mm_init: Move p2pdma page
 * refcount initialisation to p2pdma" (6.15). Sources: drivers/pci/p2pdma.c p2pmem_alloc_mmap /
 * p2pdma_page_free, mm/mm_init.c __init_zone_device_page, mm/memremap.c free_zone_device_folio and
 * memunmap_pages, mm/gup.c try_grab_folio / is_valid_gup_args.
 */
import { describe, expect, it } from 'vitest'
import { kinds, probe, runBuiltin, step } from '../helpers'

const PAGES = (64 * 2 ** 20) / 4096

describe('p2pdma', () => {
  // proposal-2022 keeps 6.14's P2PDMA rules: the series' base (6.1) had no user P2PDMA mappings (see the
  // memory-types table in docs/kernel-model.md#proposal-2022).
  it.each(['6.14', 'proposal-2022'])('%s: idle at 1, mapped at 1, reset to 1 after page_free', (k) => {
    const r = runBuiltin('p2pdma-mmap-refcount', k)
    expect(probe(r, 'idle')).toMatchObject({ refcount: 1, pgmap_refs: 1 + PAGES })
    expect(probe(r, 'mapped')).toMatchObject({ refcount: 1, mapcount: 1, level: 'pte', pgmap_refs: 1 + PAGES + 4 })
    expect(probe(r, 'freed')).toMatchObject({ refcount: 1, mapcount: 0, pgmap_refs: 1 + PAGES })
  })
  it.each(['6.15', '6.17'])('%s: idle at 0, set to 1 by p2pmem_alloc_mmap, left at 0 after page_free', (k) => {
    const r = runBuiltin('p2pdma-mmap-refcount', k)
    expect(probe(r, 'idle')).toMatchObject({ refcount: 0 })
    expect(probe(r, 'mapped')).toMatchObject({ refcount: 1, mapcount: 1, pgmap_refs: 1 + PAGES + 4 })
    expect(step(r, 3).notes).toEqual(['pte: already mapped'])
    expect(probe(r, 'freed')).toMatchObject({ refcount: 0, mapcount: 0, pgmap_refs: 1 + PAGES })
    expect(kinds(r)).toEqual([])
  })
  it.each(['6.14', '6.15', '6.17', 'proposal-2022'])('%s: GUP needs FOLL_PCI_P2PDMA (-EREMOTEIO without); LONGTERM|P2PDMA is refused up front', (k) => {
    const r = runBuiltin('p2pdma-gup-flag', k)
    expect(step(r, 1)).toMatchObject({ status: 'error', error: 'EREMOTEIO' })
    expect(step(r, 2)).toMatchObject({ status: 'ok', message: '2 pages pinned' })
    expect(probe(r, 'pinned')).toMatchObject({ refcount: 1 + 1024, mapcount: 1 })
    expect(step(r, 4)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 5)).toMatchObject({ status: 'ok', message: '0 pages pinned' })
    expect(probe(r, 'unpinned')).toMatchObject({ refcount: 1, mapcount: 1 })
  })
  it.each(['6.14', '6.17', 'proposal-2022'])('%s: p2pmem_alloc_mmap refuses private mappings, offsets and more than the pool; fork copies VM_MIXEDMAP PTEs', (k) => {
    const r = runBuiltin('p2pdma-mmap-rules', k)
    expect(step(r, 0)).toMatchObject({ error: 'EINVAL', message: expect.stringMatching(/^shared:/) })
    expect(step(r, 1)).toMatchObject({ error: 'EINVAL', message: expect.stringMatching(/^offset:/) })
    expect(step(r, 2)).toMatchObject({ error: 'ENOMEM' })
    // The refused mmaps allocated nothing: the good one starts at the pool's first page.
    expect(probe(r, 'forked')).toMatchObject({ pfn: '0x300000', refcount: 2, mapcount: 2 })
    expect(probe(r, 'child-gone')).toMatchObject({ refcount: 1, mapcount: 1 })
  })
  it.each(['6.14', '6.15', '6.17', 'proposal-2022'])('%s: unbind waits in memunmap_pages until the mapping goes', (k) => {
    const r = runBuiltin('p2pdma-unbind-mapped', k)
    expect(step(r, 1)).toMatchObject({ status: 'ok', waited: true, completed_after: 3, message: 'cmb0 unbound' })
    expect(probe(r, 'waiting')).toMatchObject({ pgmap_refs: 2 })
    expect(probe(r, 'gone')).toMatchObject({ pgmap_refs: 0 })
    expect(r.blocked).toEqual([])
  })
})

describe('devdax unbind', () => {
  it.each([
    ['6.14', 1 + 1],
    ['6.17', 1 + 1],
    // The proposal's device DAX keeps 6.1's rules (its v3 15-21/25 devdax conversion is not modelled).
    ['proposal-2022', 1 + 1],
  ] as const)('%s: kill_dev_dax zaps the mapping, memunmap_pages does not wait for the pin: dma_after_release', (k, refcount) => {
    const r = runBuiltin('device-dax-unbind-pinned', k)
    expect(step(r, 3).notes).toEqual(['kill_dev_dax: dax_alive = false; unmap_mapping_range zapped 1 mappings', 'memunmap_pages: pgmap->done completed, memmap torn down'])
    // Idle 1 plus the pin (large folio: +1 and _pincount 1); the 6.17 PMD's reference went with the zap.
    expect(probe(r, 'torn-down')).toMatchObject({ refcount, mapcount: 0, pincount: 1, pgmap_refs: 0 })
    expect(kinds(r)).toEqual(['dma_after_release'])
    expect(step(r, 5)).toMatchObject({ signal: 'SIGBUS' })
    expect(step(r, 6)).toMatchObject({ status: 'error', error: 'ENXIO' })
  })
})
