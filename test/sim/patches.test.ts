/** Patches as data (issue 10): releases are presets of patch switches; edits are checked for coherence. */
import { beforeAll, describe, expect, it } from 'vitest'
import { compareKernel, kernel as parse } from '../../arch/kernel'
import { KNOWN_RELEASES, kernelModel } from '../../main/sim/kernel-model'
import { editPatches, incoherence, NEVER_MERGED, PATCHES, PatchSetError, presetFor } from '../../main/sim/patches'
import { daxlab, ensureCli } from '../cli/cli-helpers'
import { kinds, runBuiltin } from './helpers'

describe('the patch table', () => {
  it('names are unique, dependencies exist and never landed later than the patch needing them', () => {
    const names = PATCHES.map((p) => p.name)
    expect(new Set(names).size).toBe(names.length)
    for (const p of PATCHES) {
      expect(p.source).toMatch(/\S/)
      for (const d of p.dependsOn) {
        const dep = PATCHES.find((q) => q.name === d)
        expect(dep, `${p.name} depends on unknown ${d}`).toBeDefined()
        if (p.release !== NEVER_MERGED) expect(compareKernel(parse(dep!.release), parse(p.release))).toBeLessThanOrEqual(0)
      }
    }
  })
  it('every release preset is coherent', () => {
    for (const r of KNOWN_RELEASES) expect(incoherence(presetFor(parse(r))), r).toBeUndefined()
  })
  it('presets: 6.14 has no series patch, 6.15 the series, 6.16 the xas_reset fix, 6.17 the devmap removal', () => {
    expect([...presetFor(parse('6.4'))]).toEqual([])
    // 6.14 has only the block layer's FOLL_PIN switch (6.5), no patch of the series.
    expect([...presetFor(parse('6.14'))]).toEqual(['dio-foll-pin'])
    const p615 = presetFor(parse('6.15'))
    expect(p615.has('fsdax-refcount')).toBe(true)
    expect(p615.has('xas-reset-fix')).toBe(false)
    expect(p615.has('special-huge-leaf-fix')).toBe(false)
    expect(presetFor(parse('6.16')).has('xas-reset-fix')).toBe(true)
    expect(presetFor(parse('6.17')).size).toBe(PATCHES.filter((p) => p.release !== NEVER_MERGED).length)
  })
})

describe('kernel models derive every flag from switches', () => {
  it('the release flags are what they were before the switches', () => {
    expect(kernelModel('6.14')).toMatchObject({ scheme: 'legacy', devmapHelpers: true, specialDaxHugeLeaves: false, busyScanNeedsMapping: true, fuseBreaksOnlyIndexZero: true, finalLayoutBreak: false })
    expect(kernelModel('6.16')).toMatchObject({ scheme: 'refcounted', devmapHelpers: true, specialDaxHugeLeaves: true, busyScanNeedsMapping: false, finalLayoutBreak: true })
    expect(kernelModel('6.17')).toMatchObject({ scheme: 'refcounted', devmapHelpers: false, specialDaxHugeLeaves: false })
  })
  it('asking for a switch that does not exist is an error, not "off"', () => {
    expect(() => kernelModel('6.17').on('fsdax-refcounts')).toThrow(/no such patch/)
  })
  it('6.14 plus only the busy-scan fix: truncate after munmap now waits for the pin', () => {
    expect(kinds(runBuiltin('fsdax-truncate-after-munmap', '6.14'))).toContain('dma_after_release')
    const fixed = runBuiltin('fsdax-truncate-after-munmap', '6.14', { patches: '+busy-scan-unmapped' })
    expect(kinds(fixed)).not.toContain('dma_after_release')
    expect(fixed.steps[5]!.waited).toBe(true)
  })
  it('6.17 without the special-leaf fix sets the special bit on DAX PMDs again', () => {
    expect(kernelModel('6.17', '-special-huge-leaf-fix').specialDaxHugeLeaves).toBe(true)
  })
})

describe('editPatches refuses bad edits with one clear error', () => {
  const p614 = presetFor(parse('6.14'))
  it('an incoherent set names the patch and its dependency', () => {
    expect(() => editPatches(presetFor(parse('6.17')), '-common-layout-break')).toThrow(PatchSetError)
    expect(() => editPatches(presetFor(parse('6.17')), '-common-layout-break')).toThrow("patch 'always-remove-entries' depends on 'common-layout-break', which is off")
    expect(() => editPatches(p614, '+devmap-removal')).toThrow(/'devmap-removal' depends on 'fsdax-refcount'/)
  })
  it('unknown names and malformed items', () => {
    expect(() => editPatches(p614, '+no-such-patch')).toThrow("patches: unknown patch 'no-such-patch' (daxlab patches list names them)")
    expect(() => editPatches(p614, 'busy-scan-unmapped')).toThrow("patches: 'busy-scan-unmapped' is not +name or -name")
  })
  it('a coherent edit', () => {
    expect([...editPatches(p614, ' +busy-scan-unmapped , ')]).toEqual(['dio-foll-pin', 'busy-scan-unmapped'])
  })
})

describe('daxlab patches list', () => {
  beforeAll(ensureCli, 120_000)
  it('--json gives each patch with its commit or title, release and source; --kernel says which are on', () => {
    const r = daxlab(['patches', 'list', '--json', '--kernel', '6.16'])
    expect(r.code).toBe(0)
    const rows = JSON.parse(r.stdout) as { name: string; commit: string | null; title: string; release: string; source: string; on: boolean }[]
    expect(rows).toHaveLength(PATCHES.length)
    expect(rows.find((p) => p.name === 'fsdax-refcount')).toMatchObject({ commit: '38607c62b34b', release: '6.15', on: true })
    expect(rows.find((p) => p.name === 'devmap-removal')).toMatchObject({ release: '6.17', on: false })
  })
  it('prints a table, and a bad --kernel is one clear error', () => {
    const r = daxlab(['patches', 'list'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('7851bf649d42 fuse: fix dax truncate/punch_hole fault path')
    const bad = daxlab(['patches', 'list', '--kernel', '5.10'])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('daxlab: error: kernel 5.10: only 6.1 and later are modelled')
  })
})
