/**
 * Findings, not only numbers (issue 10): every violation carries the rule it breaks and the kernel
 * consequence (main/sim/findings.ts), `run`/`runs show` print them, and every kind the built-in library
 * produces on 6.14, 6.15, 6.17 and proposal-2022 is classified.
 */
import { describe, expect, it } from 'vitest'
import { renderRun } from '../../../main/cli/render'
import { builtinScenarioNames } from '../../../main/library/index'
import { classifiedKinds } from '../../../main/sim/findings'
import { runBuiltin } from '../helpers'

describe('violations name the rule, the step, the folio and the consequence', () => {
  it('DMA into a freed block after munmap + truncate on 6.14 (fs/dax.c dax_layout_busy_page_range: !mapping_mapped)', () => {
    const r = runBuiltin('fsdax-truncate-after-munmap', '6.14')
    const v = r.violations.find((x) => x.kind === 'dma_after_release')!
    expect(v).toMatchObject({ step: 5, pfn: expect.stringMatching(/^0x/) })
    expect(v.consequence).toMatch(/DMA into a reallocated block/)
    expect(v.rule).toMatch(/frees a block only after every GUP reference/)
    const text = renderRun(r)
    expect(text).toContain(`step 5 (truncate) dma_after_release folio ${v.pfn}: `)
    expect(text).toContain('    consequence: DMA into a reallocated block')
  })
  it('a hang is a hang; a call site can name a sharper consequence', () => {
    const hang = runBuiltin('fsdax-truncate-hang', '6.15').violations.find((x) => x.kind === 'task_blocked')
    expect(hang?.consequence).toMatch(/^hang/)
    const leak = runBuiltin('proposal-2022-request-held-page', 'proposal-2022', { patches: '-zone-device-refcount-zero' }).violations[0]!
    expect(leak.kind).toBe('pgmap_ref_unbalanced')
    expect(leak.consequence).toMatch(/pgmap reference/)
  })
  it('every kind the built-in library produces on 6.14, 6.15, 6.17 and proposal-2022 is classified', () => {
    const seen = new Set<string>()
    for (const name of builtinScenarioNames()) {
      for (const k of ['6.14', '6.15', '6.17', 'proposal-2022']) {
        let r
        try {
          r = runBuiltin(name, k)
        } catch {
          continue // a machine the kernel refuses (ModelError) has no violations to classify
        }
        for (const v of r.violations) {
          seen.add(v.kind)
          expect(v.consequence, `${name} ${k} ${v.kind}`).not.toMatch(/^not classified/)
        }
      }
    }
    expect(seen.size).toBeGreaterThan(3)
    for (const kind of seen) expect(classifiedKinds()).toContain(kind)
  })
})
