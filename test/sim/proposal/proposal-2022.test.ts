/**
 * The proposal-2022 kernel model: Dan Williams' "[PATCH v3 00/25] Fix the DAX-gup mistake" (linux-mm,
 * 2022-10-14, never merged) on its 6.1 base. Sources: v3 10/25 "fsdax: Introduce pgmap_request_folios()"
 * (mm/memremap.c pgmap_request_folios/pgmap_release_folios, fs/dax.c dax_associate_entry/dax_zap_pages),
 * v3 23/25 "mm/memremap_pages: Initialize all ZONE_DEVICE pages to start at refcount 0"
 * (free_zone_device_page drops the pgmap reference), and Jason Gunthorpe's review of 10/25 (2022-10-17).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { kernelProblem } from '../../../main/formats/kernel-field'
import { parseScenarioText } from '../../../main/formats/load'
import { kernelModel, kernelPreset, resolveKernel } from '../../../main/sim/kernel-model'
import { editPatches, PatchSetError, presetFor } from '../../../main/sim/patches'
import { kernel as parse } from '../../../arch/kernel'
import { daxlab, ensureCli } from '../../cli/cli-helpers'
import { kinds, probe, runBuiltin } from '../helpers'

const POSTED_10 = { patches: '-zone-device-refcount-zero' }

describe('the proposal-2022 model', () => {
  it('is a preset: the 6.1 release plus the series switches, with 6.1 arch layouts', () => {
    expect(resolveKernel('proposal-2022')).toEqual({ major: 6, minor: 1 })
    const preset = kernelPreset('proposal-2022')
    for (const name of presetFor(parse('6.1'))) expect(preset.has(name)).toBe(true)
    expect([...preset].sort()).toEqual(['busy-scan-unmapped', 'common-layout-break', 'final-layout-break', 'pgmap-request-folios', 'zone-device-refcount-zero'])
    const model = kernelModel('proposal-2022')
    expect(model).toMatchObject({ label: 'proposal-2022', scheme: 'legacy', devmapHelpers: true, fsdaxIdleRefcount: 0, pgmapRequest: 'put-at-free' })
    expect(kernelModel('proposal-2022', '-zone-device-refcount-zero')).toMatchObject({ fsdaxIdleRefcount: 1, pgmapRequest: 'posted' })
  })
  it('no mainline release has the never-merged switches', () => {
    for (const r of ['6.1', '6.14', '6.15', '6.17', '6.18']) {
      expect(presetFor(parse(r)).has('pgmap-request-folios'), r).toBe(false)
      expect(kernelModel(r).pgmapRequest, r).toBe('off')
    }
  })
  it('refuses the switch on top of the 6.15 scheme, naming the conflict, and 23/25 without 10/25', () => {
    expect(() => editPatches(presetFor(parse('6.15')), '+pgmap-request-folios')).toThrow(PatchSetError)
    expect(() => editPatches(presetFor(parse('6.15')), '+pgmap-request-folios')).toThrow("patch 'pgmap-request-folios' cannot be on with 'fsdax-refcount'")
    expect(() => kernelModel('proposal-2022', '-pgmap-request-folios')).toThrow("patch 'zone-device-refcount-zero' depends on 'pgmap-request-folios', which is off")
  })
  it('is accepted by the kernel field of scenarios, CLI and app (one parser)', () => {
    expect(kernelProblem('proposal-2022')).toBeUndefined()
    expect(kernelProblem(' proposal-2022 ')).toBeUndefined()
    expect(kernelProblem('proposal-2023')).toMatch(/named model: proposal-2022/)
    const scenario = parseScenarioText('name: s\ndescription: d\nkernel: proposal-2022\nprofile: x86-pmem-fsdax\nsteps:\n  - create: {file: /mnt/pmem0/a, length: 4KiB}\n', 's.yaml')
    expect(scenario.kernel).toBe('proposal-2022')
  })
})

describe('what it changes against 6.14 and 6.15 (proposal-2022-map-to-truncate)', () => {
  const BASE = 4194305 // pmem0: 1 + one per page (mm/memremap.c pagemap_range, unchanged by the proposal)
  it('6.14: idle at 1, no reference per mapping, the pgmap count never moves', () => {
    const r = runBuiltin('proposal-2022-map-to-truncate', '6.14')
    expect(probe(r, 'mapped')).toMatchObject({ refcount: 1, mapcount: 0, pgmap_refs: BASE })
    expect(probe(r, 'unmapped')).toMatchObject({ refcount: 1, pgmap_refs: BASE })
  })
  it('6.15: the PTE holds the reference and mapcount; munmap drops them; no pgmap reference per mapping', () => {
    const r = runBuiltin('proposal-2022-map-to-truncate', '6.15')
    expect(probe(r, 'mapped')).toMatchObject({ refcount: 1, mapcount: 1, pgmap_refs: BASE })
    expect(probe(r, 'unmapped')).toMatchObject({ refcount: 0, mapcount: 0, pgmap_refs: BASE })
  })
  it('proposal-2022: the entry holds a reference and a pgmap reference per folio from map to truncate', () => {
    const r = runBuiltin('proposal-2022-map-to-truncate', 'proposal-2022')
    expect(probe(r, 'idle')).toMatchObject({ refcount: 0 })
    // Two pages requested: two pgmap references (pgmap_request_folios: tryget when the count became 1).
    expect(probe(r, 'mapped')).toMatchObject({ refcount: 1, mapcount: 0, pgmap_refs: BASE + 2 })
    // munmap drops nothing: the PTE holds no reference (DAX stays !vm_normal_page), the entry does.
    expect(probe(r, 'unmapped')).toMatchObject({ refcount: 1, pgmap_refs: BASE + 2 })
    // truncate's busy scan releases (dax_zap_pages); the free drops the pgmap reference (23/25).
    expect(probe(r, 'truncated')).toMatchObject({ refcount: 0, pgmap_refs: BASE })
    expect(r.violations).toEqual([])
    expect(r.kernel).toBe('proposal-2022')
  })
})

describe("Jason Gunthorpe's objections in their sequential form", () => {
  it('a request on a folio that holds a reference takes no pgmap reference (the series at 10/25: pages idle at 1)', () => {
    const r = runBuiltin('proposal-2022-request-held-page', 'proposal-2022', POSTED_10)
    const found = r.violations.filter((v) => v.kind === 'pgmap_ref_unbalanced')
    // One finding per entry: the PTE fault (step 4) and the PMD fault's 512 folios (step 5).
    expect(found.map((v) => v.step)).toEqual([4, 5])
    expect(found[1]!.message).toContain('512 of 512 folio(s) already held references')
    expect(probe(r, 'small')).toMatchObject({ refcount: 2, pgmap_refs: 4194305 })
    expect(probe(r, 'released')).toMatchObject({ refcount: 1 })
  })
  it('with 23/25 (refcount-0 init) every request goes 0 -> 1 and pins the pgmap, the PMD entry 512 times', () => {
    const r = runBuiltin('proposal-2022-request-held-page', 'proposal-2022')
    expect(kinds(r)).toEqual([])
    expect(probe(r, 'big')).toMatchObject({ refcount: 1, pgmap_refs: 4194305 + 1 + 512 })
    expect(probe(r, 'released')).toMatchObject({ refcount: 0 })
    expect(r.pgmaps[0]!.refs).toBe(4194305)
  })
  it('a release with a pin outstanding: the unpin frees the page and drops the pgmap reference (nothing lost from 23/25)', () => {
    const r = runBuiltin('proposal-2022-release-with-pin', 'proposal-2022')
    expect(probe(r, 'pinned')).toMatchObject({ refcount: 1025, pgmap_refs: 4194306 })
    expect(r.steps[5]!.waited).toBe(true)
    // Released (1025 -> 1024) but busy: the pgmap reference waits for the free.
    expect(probe(r, 'released-while-pinned')).toMatchObject({ refcount: 1024, pgmap_refs: 4194306 })
    expect(probe(r, 'after')).toMatchObject({ refcount: 0, pgmap_refs: 4194305 })
    expect(r.violations).toEqual([])
  })
  it('at 10/25 the same run took no pgmap reference, so the release has none to lose', () => {
    const r = runBuiltin('proposal-2022-release-with-pin', 'proposal-2022', POSTED_10)
    expect(kinds(r)).toEqual(['pgmap_ref_unbalanced'])
    expect(probe(r, 'after')).toMatchObject({ refcount: 1, pgmap_refs: 4194305 })
  })
})

describe('daxlab with --kernel proposal-2022', () => {
  beforeAll(ensureCli, 120_000)
  it('run records the model name; patches list marks the never-merged switches on', () => {
    const r = daxlab(['run', 'proposal-2022-map-to-truncate', '--kernel', 'proposal-2022', '--no-store', '--json'])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toMatchObject({ kernel: 'proposal-2022', scheme: 'legacy' })
    const list = daxlab(['patches', 'list', '--json', '--kernel', 'proposal-2022'])
    const rows = JSON.parse(list.stdout) as { name: string; on: boolean; release: string; posted: string | null }[]
    expect(rows.find((p) => p.name === 'pgmap-request-folios')).toMatchObject({ on: true, release: 'never merged', posted: expect.stringContaining('2022-10-14') })
    expect(rows.find((p) => p.name === 'fsdax-refcount')).toMatchObject({ on: false })
  })
  it('compare runs it beside mainline releases', () => {
    const r = daxlab(['compare', 'proposal-2022-map-to-truncate', '--kernel', '6.15,proposal-2022', '--json'])
    expect(r.code, r.stderr).toBeLessThanOrEqual(1)
    expect(r.stdout).toContain('proposal-2022')
  })
})
