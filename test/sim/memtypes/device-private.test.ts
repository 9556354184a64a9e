/**
 * Device-private (HMM) memory, pinned per kernel: the series did not change it, so 6.14, 6.15 and
 * 6.17 agree. Sources: mm/memremap.c zone_device_page_init / free_zone_device_folio,
 * mm/migrate_device.c, mm/memory.c do_swap_page, lib/test_hmm.c, and the hmm-tests cases each
 * scenario names.
 */
import { describe, expect, it } from 'vitest'
import { kinds, probe, runBuiltin, step } from '../helpers'

const KERNELS = ['6.14', '6.15', '6.17'] as const

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
