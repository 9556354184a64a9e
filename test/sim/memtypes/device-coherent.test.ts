/**
 * Device-coherent memory, pinned per kernel (unchanged by the series). Sources: mm/migrate_device.c,
 * mm/gup.c check_and_migrate_movable_pages / migrate_device_coherent_folio, mm.h
 * folio_is_longterm_pinnable, lib/test_hmm.c, hmm-tests.
 */
import { describe, expect, it } from 'vitest'
import { kinds, probe, runBuiltin, step } from '../helpers'

const KERNELS = ['6.14', '6.15', '6.17', 'proposal-2022'] as const

describe('device-coherent', () => {
  it.each(KERNELS)('%s: migrated pages are present anon PTEs; the CPU never faults; explicit migration back frees them', (k) => {
    const r = runBuiltin('device-coherent-migrate', k)
    expect(step(r, 5)).toMatchObject({ status: 'ok', cpages: 4 })
    // A present, writable PTE (x86: P|RW|US|A), refcount 1 and mapcount 1 after migrate_device_finalize.
    expect(probe(r, 'on-device')).toMatchObject({ region: 'dmirror2', refcount: 1, mapcount: 1, entry: '0x8000000300000027', level: 'pte', pgmap_refs: 5 })
    expect(step(r, 7).notes).toEqual(['pte: already mapped'])
    expect(step(r, 8).notes).toEqual(['pte: already mapped'])
    // migrate_multiple: ASSERT_EQ(buffer->cpages, npages) for HMM_DMIRROR_MIGRATE_TO_SYS.
    expect(step(r, 9)).toMatchObject({ status: 'ok', cpages: 4, resides: ['ram', 'ram', 'ram', 'ram'] })
    expect(probe(r, 'back')).toMatchObject({ refcount: 0, mapcount: 0, pgmap_refs: 1 })
    expect(kinds(r)).toEqual([])
  })
  it.each(KERNELS)('%s: plain GUP takes the device page; FOLL_LONGTERM migrates it to RAM first (hmm_gup_test)', (k) => {
    const r = runBuiltin('device-coherent-gup-longterm', k)
    expect(probe(r, 'referenced')).toMatchObject({ region: 'dmirror2', refcount: 2, mapcount: 1 })
    expect(step(r, 9).notes).toEqual([
      'gup-fast bailed at page 0: FOLL_LONGTERM && !folio_is_longterm_pinnable; slow path',
      'page 0: device-coherent 0x300002 is not longterm pinnable: migrated to system RAM (check_and_migrate_movable_pages), pin retried there',
    ])
    expect(probe(r, 'migrated')).toMatchObject({ refcount: 0, mapcount: 0, pincount: 0 })
    // m[0], m[1]: DEV_COHERENT_LOCAL | WRITE; m[2], m[3]: WRITE.
    expect(step(r, 12)).toMatchObject({ snapshot: [0x42, 0x42, 0x02, 0x02], resides: ['dmirror2', 'dmirror2', 'ram', 'ram'] })
    expect(probe(r, 'released')).toMatchObject({ refcount: 1, mapcount: 1 })
    expect(kinds(r)).toEqual([])
  })
  it.each(KERNELS)('%s: snapshot reports local and remote coherent pages', (k) => {
    const r = runBuiltin('device-coherent-snapshot', k)
    expect(step(r, 7)).toMatchObject({ snapshot: [0x00, 0x11, 0x02, 0x42, 0x52, 0xff] })
    expect(probe(r, 'remote')).toMatchObject({ region: 'dmirror3', refcount: 1, mapcount: 1 })
  })
  it.each(KERNELS)('%s: fork shares the device pages; COW copies them to RAM; the child exit frees them', (k) => {
    const r = runBuiltin('device-coherent-fork-cow', k)
    // Both sides write-protected: x86 RW (bit 1) cleared.
    expect(probe(r, 'shared')).toMatchObject({ refcount: 2, mapcount: 2, entry: '0x8000000300000025' })
    expect(probe(r, 'child-only')).toMatchObject({ refcount: 1, mapcount: 1 })
    expect(probe(r, 'freed')).toMatchObject({ refcount: 0, mapcount: 0, pgmap_refs: 1 })
    expect(step(r, 15)).toMatchObject({ snapshot: [0x02, 0x02, 0x02, 0x02] })
    expect(kinds(r)).toEqual([])
  })
})
