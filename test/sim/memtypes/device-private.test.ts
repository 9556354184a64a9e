/**
 * Device-private (HMM) memory, pinned per kernel: the series did not change it, so 6.14, 6.15 and
 * 6.17 agree. Sources: mm/memremap.c zone_device_page_init / free_zone_device_folio,
 * mm/migrate_device.c, mm/memory.c do_swap_page, lib/test_hmm.c, and the hmm-tests cases each
 * scenario names.
 */
import { describe, expect, it } from 'vitest'
import { kinds, probe, runBuiltin, step } from '../helpers'

const KERNELS = ['6.14', '6.15', '6.17', 'proposal-2022'] as const

describe('device-private migration (hmm-tests migrate, migrate_fault)', () => {
  it.each(KERNELS)('%s: migrate -> swap entries with one reference each, CPU fault -> migrate_to_ram frees the device page', (k) => {
    const r = runBuiltin('device-private-migrate', k)
    // hmm-tests: ASSERT_EQ(buffer->cpages, npages) after HMM_DMIRROR_MIGRATE_TO_DEV.
    expect(step(r, 5)).toMatchObject({ status: 'ok', cpages: 4, resides: ['dmirror0', 'dmirror0', 'dmirror0', 'dmirror0'] })
    // zone_device_page_init: refcount 1 and a pgmap reference; the swap entry holds the mapcount.
    expect(probe(r, 'on-device')).toMatchObject({ region: 'dmirror0', refcount: 1, mapcount: 1, pgmap_refs: 1 + 4 })
    expect(step(r, 7).notes![0]).toMatch(/do_swap_page -> migrate_to_ram/)
    // Freed: page_free + put_dev_pagemap (two of the four pgmap references are gone).
    expect(probe(r, 'faulted-back')).toMatchObject({ refcount: 0, mapcount: 0, pgmap_refs: 1 + 2 })
    // migrate_fault: migrating the mix again gives cpages == npages (two pages were still there).
    expect(step(r, 10)).toMatchObject({ status: 'ok', cpages: 4, message: '2 pages migrated to dmirror0' })
    // munmap: zap_nonpresent_ptes drops every device page; only the base pgmap reference is left.
    expect(probe(r, 'unmapped')).toMatchObject({ refcount: 0, mapcount: 0, pgmap_refs: 1 })
    expect(r.pgmaps.find((p) => p.name === 'dmirror0')).toMatchObject({ type: 'PRIVATE', refs: 1 })
    expect(kinds(r)).toEqual([])
  })
})

describe('device-private scenarios from hmm-tests', () => {
  it.each(KERNELS)('%s: fork duplicates the swap entries (refcount 2, mapcount 2); a write migrates back for both, then COWs', (k) => {
    const r = runBuiltin('device-private-fork', k)
    // copy_nonpresent_pte: folio_get + folio_try_dup_anon_rmap_pte.
    expect(probe(r, 'shared-device-page')).toMatchObject({ refcount: 2, mapcount: 2 })
    expect(step(r, 8).notes).toEqual(['pte: device-private entry (dmirror0): do_swap_page -> migrate_to_ram', 'pte: COW to an anon page'])
    expect(probe(r, 'freed')).toMatchObject({ refcount: 0, mapcount: 0, pgmap_refs: 1 })
    // hmm_cow_in_device: ASSERT_EQ(HMM_DMIRROR_PROT_WRITE, m[i]).
    expect(step(r, 14)).toMatchObject({ cpages: 4, snapshot: [0x02, 0x02, 0x02, 0x02], resides: ['ram', 'ram', 'ram', 'ram'] })
    expect(kinds(r)).toEqual([])
  })
  it.each(KERNELS)('%s: unbind evicts every page, then memunmap_pages completes (pgmap refs 0); later migration finds no device', (k) => {
    const r = runBuiltin('device-private-unbind', k)
    expect(probe(r, 'migrated')).toMatchObject({ refcount: 1, mapcount: 1, pgmap_refs: 5 })
    expect(step(r, 7)).toMatchObject({ status: 'ok', notes: ['dmirror_device_evict_chunk: 4 pages migrated to system RAM', 'memunmap_pages: pgmap->done completed, memmap torn down'] })
    expect(probe(r, 'evicted')).toMatchObject({ refcount: 0, mapcount: 0, pgmap_refs: 0 })
    // migrate_release: "Fault pages back to system memory and check them" -- they are in RAM already.
    expect(step(r, 9).notes).toEqual(['pte: already mapped'])
    expect(step(r, 11)).toMatchObject({ status: 'error', error: 'ENOENT', cpages: 0 })
    expect(r.blocked).toEqual([])
  })
  it.each(KERNELS)('%s: snapshot flags as dmirror_mkentry reports them', (k) => {
    const r = runBuiltin('device-private-snapshot', k)
    // NONE, ZERO|READ, WRITE, DEV_PRIVATE_LOCAL|WRITE, another device's page (NONE), no VMA (ERROR).
    expect(step(r, 7)).toMatchObject({ cpages: 6, snapshot: [0x00, 0x11, 0x02, 0x22, 0x00, 0xff], resides: ['none', 'ram', 'ram', 'dmirror0', 'dmirror1', 'none'] })
    // hmm_range_fault takes no reference: the migrated page keeps refcount 1, mapcount 1.
    expect(probe(r, 'local')).toMatchObject({ refcount: 1, mapcount: 1 })
  })
  it.each(KERNELS)('%s: mirror faults once, then reads from its page table; a remote device page is faulted back to RAM', (k) => {
    const r = runBuiltin('device-private-mirror', k)
    expect(step(r, 1)).toMatchObject({ status: 'ok', cpages: 4, faults: 1 })
    expect(step(r, 2)).toMatchObject({ status: 'ok', cpages: 4, faults: 0 })
    // double_map: ASSERT_EQ(buffer->cpages, npages); ASSERT_EQ(buffer->faults, 1).
    expect(step(r, 4)).toMatchObject({ status: 'ok', cpages: 4, faults: 1, resides: ['ram', 'ram', 'ram', 'ram'] })
    expect(probe(r, 'after')).toMatchObject({ refcount: 0, pgmap_refs: 1 })
  })
  it.each(KERNELS)('%s: shared anonymous memory is not migrated (-ENOENT, cpages 0)', (k) => {
    const r = runBuiltin('device-private-migrate-shared', k)
    expect(step(r, 1)).toMatchObject({ status: 'error', error: 'ENOENT', cpages: 0 })
    expect(step(r, 3)).toMatchObject({ status: 'error', error: 'ENOENT', cpages: 0 })
    expect(r.pgmaps.find((p) => p.name === 'dmirror0')!.refs).toBe(1)
  })
  it.each(KERNELS)('%s: GUP faults device-private pages back to RAM (hmm_gup_test: all PROT_WRITE)', (k) => {
    const r = runBuiltin('device-private-gup', k)
    for (const i of [6, 7, 8, 9]) expect(step(r, i).notes).toContain('pte: device-private entry (dmirror0): do_swap_page -> migrate_to_ram')
    expect(step(r, 10)).toMatchObject({ snapshot: [0x02, 0x02, 0x02, 0x02] })
    expect(r.pgmaps.find((p) => p.name === 'dmirror0')!.refs).toBe(1)
    expect(kinds(r)).toEqual([])
  })
})

describe('device-private THP ranges (hmm-tests migrate_anon_huge_empty, migrate_anon_huge_zero)', () => {
  it.each(KERNELS)('%s: holes and a split huge zero PMD migrate page by page: cpages == npages', (k) => {
    const r = runBuiltin('device-private-migrate-thp', k)
    expect(probe(r, 'huge-zero')).toMatchObject({ level: 'pmd', region: null })
    expect(step(r, 4)).toMatchObject({ status: 'ok', cpages: 512 })
    expect(step(r, 5)).toMatchObject({ status: 'ok', cpages: 512, notes: ['page 0: THP split (migrate_vma_collect_pmd)'] })
    expect(step(r, 6)).toMatchObject({ snapshot: [0x22, 0x22] })
    expect(probe(r, 'device-page')).toMatchObject({ refcount: 1, mapcount: 1, pgmap_refs: 1 + 1024 })
  })
})
