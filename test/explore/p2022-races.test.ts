/**
 * The proposal-2022 races Jason Gunthorpe raised in "Re: [PATCH v3 10/25] fsdax: Introduce
 * pgmap_request_folios()" (linux-mm, 2022-10-17), explored completely. The request and release are
 * split at the posted code's windows (main/explore/ops/proposal-2022-windows.ts): mm/memremap.c
 * pgmap_request_folios() `folio_ref_inc(); if (folio_ref_count() == 1) percpu_ref_tryget()`,
 * pgmap_release_folios() `folio_put(); if (!folio_ref_count()) put_dev_pagemap()` (v3 10/25,
 * 2022-10-14); 23/25 makes the release a plain folio_put() with put_dev_pagemap() in
 * free_zone_device_page().
 */
import { describe, expect, it } from 'vitest'
import type { ExploreResult } from '../../main/explore/search'
import { runBuiltin } from '../sim/helpers'
import { exploreBuiltin, kinds } from './explore-builtin'
const labels = (r: ExploreResult, kind: string) => r.counterexamples.find((c) => c.kind === kind)!.schedule.map((s) => `${s.task}: ${s.label}`)

describe('race-p2022-request-transient (a transient reference inside pgmap_request_folios)', () => {
  const name = 'race-p2022-request-transient'

  it('proposal-2022 on arm64: a GUP-fast reference taken between the inc and the read costs the pgmap reference', () => {
    const r = exploreBuiltin(name, { kernel: 'proposal-2022', arch: 'arm64' })
    expect(kinds(r)).toContain('pgmap_ref_unbalanced')
    const path = labels(r, 'pgmap_ref_unbalanced')
    // The shortest schedule: the stale PTE read, the whole truncate and reallocation, the request's
    // inc (in the fault's insert step), GUP-fast's folio_ref_try_add on the new owner's page, the read.
    expect(path[0]).toBe('gupper: gup-fast: read entry')
    expect(path.slice(-3)).toEqual(['recycle: fault: dax_iomap_fault insert', 'gupper: gup-fast: try_grab_folio_fast', 'recycle: pgmap_request_folios: folio_ref_count == 1 ? percpu_ref_tryget'])
    expect(r.outcomes.filter((o) => o.violations.includes('pgmap_ref_unbalanced')).length).toBeGreaterThan(0)
  })

  it('x86: the TLB flush IPI waits for the interrupts-off GUP-fast walk, so the page cannot be freed and reallocated inside it', () => {
    expect(kinds(exploreBuiltin(name, { kernel: 'proposal-2022', arch: 'x86' }))).toEqual([])
  })

  it('6.14, 6.15, 6.17 run the same race on the real code: no request, no pgmap_ref_unbalanced in any schedule', () => {
    // What remains is the lab's GUP-fast-vs-truncate finding on an arch without the IPI fence, the same
    // as race-gup-fast-truncate on arm64 (test/explore/races.test.ts).
    expect(kinds(exploreBuiltin(name, { kernel: '6.14', arch: 'arm64' }))).toEqual(['kernel_warning'])
    for (const kernel of ['6.15', '6.17']) expect(kinds(exploreBuiltin(name, { kernel, arch: 'arm64' }))).toEqual(['task_blocked'])
    for (const kernel of ['6.14', '6.15', '6.17']) expect(kinds(exploreBuiltin(name, { kernel, arch: 'x86' }))).toEqual([])
  })

  it('the default schedule (daxlab run) has no violation; replaying the counterexample reproduces it', () => {
    expect(runBuiltin(name, 'proposal-2022').violations.map((v) => v.kind)).toEqual([])
    const r = exploreBuiltin(name, { kernel: 'proposal-2022', arch: 'arm64' })
    const schedule = r.counterexamples.find((c) => c.kind === 'pgmap_ref_unbalanced')!.schedule.map((s) => s.task)
    const replay = runBuiltin(name, 'proposal-2022', { schedule })
    const found = replay.violations.filter((v) => v.kind === 'pgmap_ref_unbalanced')
    expect(found).toHaveLength(1)
    expect(found[0]!.message).toMatch(/between its folio_ref_inc\(\) and the count read .* read 2/)
    expect(found[0]!.message).toContain('2->1 transition immediately after ref_inc')
  })
})

describe('race-p2022-release-transient (a transient reference across pgmap_release_folios)', () => {
  const name = 'race-p2022-release-transient'

  it('proposal-2022 (with 23/25): the release is a plain folio_put, the free drops the pgmap reference: no schedule loses it', () => {
    for (const arch of ['x86', 'arm64']) expect(kinds(exploreBuiltin(name, { kernel: 'proposal-2022', arch }))).not.toContain('pgmap_ref_unbalanced')
    const r = exploreBuiltin(name, { kernel: 'proposal-2022', arch: 'x86' })
    expect(kinds(r)).toEqual([])
    for (const o of r.outcomes) expect(o.violations).toEqual([])
  })

  it('the series at 10/25: the release reads the count in its own step, but pages idle at 1, so it never reads 0', () => {
    const r = exploreBuiltin(name, { kernel: 'proposal-2022', arch: 'arm64', patches: '-zone-device-refcount-zero' })
    // The read is a separate atomic step, and a GUP-fast grab does land between the put and the read...
    expect(r.counterexamples.some((c) => c.schedule.some((s) => s.label.startsWith('pgmap_release_folios: folio_ref_count == 0')))).toBe(true)
    // ...yet no put_dev_pagemap() is lost (none was due). Every outcome carries the request's
    // sequential finding from the setup fault (no pgmap reference was taken on the idle-at-1 page).
    for (const o of r.outcomes) expect(o.violations).toContain('pgmap_ref_unbalanced')
    expect(kinds(r)).not.toContain('pgmap_ref_unbalanced')
  })

  it('6.14, 6.15, 6.17 (x86): the same race on the real code, no violation', () => {
    for (const kernel of ['6.14', '6.15', '6.17']) expect(kinds(exploreBuiltin(name, { kernel, arch: 'x86' }))).toEqual([])
  })
})
