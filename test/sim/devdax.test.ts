import { describe, expect, it } from 'vitest'
import { probe, runBuiltin, step } from './helpers'

describe('device DAX (#24)', () => {
  it('6.14: PMD devmap over an order-9 folio idle at 1, no reference', () => {
    const r = runBuiltin('devdax-pmd-fault', '6.14')
    expect(step(r, 1).notes).toEqual(['pud: fallback (fault size > align 2MiB)', 'pmd: mapped'])
    // device DAX has no write notify: vm_page_prot is writable (RW) even for a read fault
    expect(probe(r, 'mapped')).toMatchObject({ order: 9, refcount: 1, mapcount: 0, entry: '0x82000001000000a7' })
    // FOLL_LONGTERM is fine on device DAX; legacy gup-fast bails on pmd_devmap + LONGTERM
    expect(probe(r, 'pinned')).toMatchObject({ refcount: 3, pincount: 2 })
    expect(r.pgmaps[0]!.refs).toBe(1 + (64 * 2 ** 30) / 2 ** 21)
  })
  it('6.15+: vmf_insert_folio_pmd takes a reference (refcount 2, mapcount 1)', () => {
    for (const [k, entry] of [['6.16', '0x80000001000002a7'], ['6.17', '0x80000001000000a7']] as const) {
      const r = runBuiltin('devdax-pmd-fault', k)
      expect(probe(r, 'mapped')).toMatchObject({ order: 9, refcount: 2, mapcount: 1, entry })
      expect(probe(r, 'pinned')).toMatchObject({ refcount: 4, pincount: 2 })
      expect(probe(r, 'unmapped')).toMatchObject({ refcount: 1, mapcount: 0, pincount: 0 })
    }
  })
  it('1 GiB align maps PUD leaves; a PTE-sized fault is SIGBUS', () => {
    const r = runBuiltin('devdax-pud-fault', '6.17')
    expect(probe(r, 'mapped')).toMatchObject({ order: 18, refcount: 2, mapcount: 1, level: 'pud' })
    expect(step(r, 3).signal).toBe('SIGBUS')
    const legacy = runBuiltin('devdax-pud-fault', '6.14')
    expect(probe(legacy, 'mapped')).toMatchObject({ order: 18, refcount: 1, mapcount: 0, entry: '0x82000001000000e7' })
  })
})
