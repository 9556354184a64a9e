/** The pure session diff on engine runs: pairing, the digest shortcut, per-folio divergence, rendering. */
import { describe, expect, it } from 'vitest'
import { renderDiffMarkdown, renderDiffText } from '../../main/diff/render'
import { diffSessions } from '../../main/diff/session-diff'
import { builtinProfile } from '../../main/library/index'
import { diffRun, engineRun, type Loads } from './fixtures'

const side = (label: string, runs: ReturnType<typeof diffRun>[]) => ({ label, runs, notRun: [] })

describe('diffSessions', () => {
  it('identical sessions: every pair identical by digest, nothing decoded', () => {
    const loads: Loads = { results: 0, events: 0 }
    const runs = () => ['fsdax-pin-unpin', 'fsdax-truncate-after-munmap'].flatMap((s) => ['6.14', '6.17'].map((k) => diffRun(engineRun(s, k), loads)))
    const d = diffSessions(side('a', runs()), side('b', runs()))
    expect(d).toMatchObject({ identical: true, summary: { identical: 4, changed: 0, only_in_a: 0, only_in_b: 0 }, summary_line: '4 runs identical, 0 changed' })
    expect(loads).toEqual({ results: 0, events: 0 })
  })

  it('pairs 6.17 with 6.15 when only the kernel differs and names the first divergence by region and offset', () => {
    const loads: Loads = { results: 0, events: 0 }
    const d = diffSessions(side('a', [diffRun(engineRun('devdax-pud-fault', '6.17'), loads)]), side('b', [diffRun(engineRun('devdax-pud-fault', '6.15'), loads)]))
    expect(d.identical).toBe(false)
    expect(d.summary).toMatchObject({ changed: 1, only_in_a: 0, only_in_b: 0 })
    const c = d.changed[0]!
    expect(c.paired_by).toBe('kernel')
    expect(c.header.kernel).toEqual(['6.17', '6.15'])
    // 6.15/6.16 set the special bit on refcounted DAX PUD leaves (insert_pfn_pud: pud_mkspecial); 6.17 does not.
    expect(c.folios[0]).toMatchObject({ region: 'dax0', offset: '0x0' })
    expect(Object.keys(c.folios[0]!.first_divergence!.fields)).toContain('entry')
    expect(c.headline).toMatch(/^step \d+ \(access\): folio dax0\+0x0 entry/)
    expect(c.first_event).not.toBeNull()
    expect(renderDiffText(d)).toMatch(/0 runs identical, 1 changed$/)
    expect(renderDiffMarkdown(d)).toContain('| devdax-pud-fault | 6.17 → 6.15 |')
  })

  it('the same page pairs by region offset across arches whose pfns differ', () => {
    const loads: Loads = { results: 0, events: 0 }
    const x86 = engineRun('fsdax-pin-unpin', '6.17', 'x86')
    const arm = engineRun('fsdax-pin-unpin', '6.17', 'arm64')
    // Different arches are different keys: compare the folio tables directly through a relaxed pair.
    const a = diffRun(x86, loads)
    const b = { ...diffRun(arm, loads), key: { ...a.key } }
    const d = diffSessions(side('a', [a]), side('b', [b]))
    expect(d.summary.changed).toBe(1)
    const places = d.changed[0]!.folios.map((f) => `${f.region}+${f.offset}`)
    // Both arches map the file's first page at pmem0+0x...: no folio is reported as only-on-one-side by pfn.
    expect(places.length).toBeGreaterThan(0)
    for (const f of d.changed[0]!.folios) {
      expect(f.region).toBe('pmem0')
      // Paired, not two one-sided pages: both sides have a value for every field that differs.
      for (const [x, y] of Object.values(f.first_divergence?.fields ?? {})) expect(x !== '-' && y !== '-').toBe(true)
    }
    expect(new Set(places).size).toBe(places.length)
  })

  it('a changed profile pairs by profile name and reports the pgmap ref delta', () => {
    const loads: Loads = { results: 0, events: 0 }
    const base = builtinProfile('x86-pmem-fsdax')!
    const bigger = { ...base, regions: base.regions.map((r) => ({ ...r, size: r.size * 2 })) }
    const d = diffSessions(side('a', [diffRun(engineRun('fsdax-read-fault', '6.17', undefined, base), loads)]), side('b', [diffRun(engineRun('fsdax-read-fault', '6.17', undefined, bigger), loads)]))
    expect(d.changed[0]).toMatchObject({ paired_by: 'profile', pgmaps: [{ name: 'pmem0' }] })
    expect(d.changed[0]!.pgmaps[0]!.b).toBeGreaterThan(d.changed[0]!.pgmaps[0]!.a!)
  })

  it('runs only on one side and skipped combinations that differ are listed', () => {
    const loads: Loads = { results: 0, events: 0 }
    const a = diffRun(engineRun('fsdax-pin-unpin', '6.14'), loads)
    const extra = diffRun(engineRun('fsdax-read-fault', '6.14'), loads)
    const notRun = [{ key: { ...a.key, arch: 'loongarch', variant: '16K' }, status: 'skipped' as const, reason: 'no ZONE_DEVICE' }]
    const d = diffSessions({ label: 'a', runs: [a], notRun }, { label: 'b', runs: [a, extra], notRun: [] })
    expect(d.summary).toMatchObject({ identical: 1, only_in_b: 1, not_run_changed: 1 })
    expect(d.summary_line).toBe('1 runs identical, 0 changed, 1 only in B, 1 skipped/failed combinations differ')
    expect(d.not_run[0]).toMatchObject({ a: { status: 'skipped', reason: 'no ZONE_DEVICE' }, b: null })
  })
})
