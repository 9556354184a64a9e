/**
 * The memory-type modules: one per region type, each answering the same roles. Values cite
 * __init_zone_device_page() (mm/mm_init.c), pagemap_range() and free_zone_device_folio()
 * (mm/memremap.c), memory_failure_dev_pagemap() (mm/memory-failure.c) and folio_is_longterm_pinnable()
 * / try_grab_folio() (mm.h, mm/gup.c).
 */
import { describe, expect, it } from 'vitest'
import { REGION_TYPES } from '../../../main/formats/profile'
import { kernelModel } from '../../../main/sim/kernel-model'
import { MEMORY_TYPES } from '../../../main/sim/memtypes/index'
import { PagePool } from '../../../main/sim/memtypes/pool'

const KERNELS = ['6.14', '6.15', '6.17'] as const

describe('memory types', () => {
  it('has one module per region type, each naming its own type', () => {
    for (const t of REGION_TYPES) expect(MEMORY_TYPES[t].region).toBe(t)
    expect(Object.keys(MEMORY_TYPES).sort()).toEqual([...REGION_TYPES].sort())
  })
  it('idle refcounts per kernel: FS_DAX and P2PDMA 1 -> 0 with the series, GENERIC 1, PRIVATE/COHERENT 0', () => {
    const idle = (k: string) => Object.fromEntries(REGION_TYPES.map((t) => [t, MEMORY_TYPES[t].idleRefcount(kernelModel(k))]))
    expect(idle('6.14')).toEqual({ fsdax: 1, devdax: 1, 'device-private': 0, 'device-coherent': 0, p2pdma: 1, 'system-ram': 0 })
    for (const k of ['6.15', '6.17']) expect(idle(k)).toEqual({ fsdax: 0, devdax: 1, 'device-private': 0, 'device-coherent': 0, p2pdma: 0, 'system-ram': 0 })
    // proposal-2022: v3 23/25 started every ZONE_DEVICE type at 0; the lab applies it to FS DAX only and
    // keeps device DAX and P2PDMA at 6.1's rules (docs/kernel-model.md#proposal-2022, not modelled).
    expect(idle('proposal-2022')).toEqual({ fsdax: 0, devdax: 1, 'device-private': 0, 'device-coherent': 0, p2pdma: 1, 'system-ram': 0 })
  })
  it('pagemap_range(): per-folio pgmap references for every type but PRIVATE/COHERENT', () => {
    expect(REGION_TYPES.filter((t) => MEMORY_TYPES[t].pgmapType && MEMORY_TYPES[t].pgmapRefPerFolio)).toEqual(['fsdax', 'devdax', 'p2pdma'])
  })
  it('mappings take references from 6.15 for FS DAX and device DAX, always for the others', () => {
    for (const k of KERNELS) {
      const kernel = kernelModel(k)
      expect(MEMORY_TYPES.fsdax.mappingTakesReference(kernel)).toBe(k !== '6.14')
      expect(MEMORY_TYPES.devdax.mappingTakesReference(kernel)).toBe(k !== '6.14')
      for (const t of ['device-private', 'device-coherent', 'p2pdma'] as const) expect(MEMORY_TYPES[t].mappingTakesReference(kernel)).toBe(true)
    }
    // proposal-2022: the DAX entry holds the FS DAX page's reference (pgmap_request_folios), not the PTE
    // (DAX pages stay !vm_normal_page); device DAX keeps 6.1's devmap mappings.
    const proposal = kernelModel('proposal-2022')
    expect(MEMORY_TYPES.fsdax.mappingTakesReference(proposal)).toBe(false)
    expect(MEMORY_TYPES.devdax.mappingTakesReference(proposal)).toBe(false)
    for (const t of ['device-private', 'device-coherent', 'p2pdma'] as const) expect(MEMORY_TYPES[t].mappingTakesReference(proposal)).toBe(true)
  })
  it('GUP rules: only devdax and p2pdma are longterm pinnable; only p2pdma needs FOLL_PCI_P2PDMA', () => {
    const kernel = kernelModel('6.17')
    const zoneDevice = REGION_TYPES.filter((t) => t !== 'system-ram')
    expect(zoneDevice.filter((t) => MEMORY_TYPES[t].longtermPinnable(kernel))).toEqual(['devdax', 'p2pdma'])
    expect(REGION_TYPES.filter((t) => MEMORY_TYPES[t].needsPciP2pdmaFlag)).toEqual(['p2pdma'])
  })
  it('memory_failure: DAX types are handled, PRIVATE/COHERENT/P2PDMA end in -EBUSY at dax_lock_folio()', () => {
    expect(Object.fromEntries(REGION_TYPES.map((t) => [t, MEMORY_TYPES[t].memoryFailure]))).toEqual({
      fsdax: 'dax',
      devdax: 'dax',
      'device-private': 'ebusy',
      'device-coherent': 'ebusy',
      p2pdma: 'ebusy',
      'system-ram': 'not-zone-device',
    })
  })
  it('migration targets are the driver memory types (migrate_vma_*)', () => {
    expect(REGION_TYPES.filter((t) => MEMORY_TYPES[t].migrationTarget)).toEqual(['device-private', 'device-coherent'])
  })
})

describe('PagePool', () => {
  it('allocates first fit, merges released ranges and refuses runs it does not have', () => {
    const pool = new PagePool(100, 8)
    expect(pool.allocate(3)).toBe(100)
    expect(pool.allocate(3)).toBe(103)
    expect(pool.allocate(3)).toBeUndefined()
    pool.release(100, 3)
    expect(pool.isFree(101)).toBe(true)
    expect(pool.allocate(1)).toBe(100)
    pool.release(103, 3)
    pool.release(100, 1)
    expect(pool.allocate(8)).toBe(100)
  })
})
