/**
 * Runs record the switch set they ran with (RunResult.patches, docs/formats.md#runresult); the store
 * keeps it, `runs show` prints it, compare and diff name switch differences before anything else.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { renderDiffText } from '../../../main/diff/render'
import { switchChanges } from '../../../main/diff/run-diff'
import { diffSessions } from '../../../main/diff/session-diff'
import { renderComparison, renderRun } from '../../../main/cli/render'
import { compareRuns } from '../../../main/sim/compare'
import { kernelPreset } from '../../../main/sim/kernel-model'
import { TraceStore } from '../../../main/store/trace-store'
import { daxlab, ensureCli, tempDb } from '../../cli/cli-helpers'
import { diffRun, engineRun, type Loads } from '../../diff/fixtures'
import { realRun, tempDir } from '../../store/helpers'
import { runBuiltin } from '../helpers'
import { join } from 'node:path'

describe('RunResult.patches', () => {
  it('is the sorted list of switches on, and the --patches edit when one was given', () => {
    // 6.14 has none of the 2025 series' switches; only earlier ones (dio-foll-pin, 6.5).
    expect(runBuiltin('fsdax-pin-unpin', '6.14').patches).toEqual({ on: [...kernelPreset('6.14')].sort() })
    expect(runBuiltin('fsdax-pin-unpin', '6.14').patches!.on).not.toContain('fsdax-refcount')
    const r617 = runBuiltin('fsdax-pin-unpin', '6.17')
    expect(r617.patches!.on).toEqual([...kernelPreset('6.17')].sort())
    expect(r617.patches!.on).toContain('devmap-removal')
    const edited = runBuiltin('fsdax-pin-unpin', '6.14', { patches: '+busy-scan-unmapped' })
    expect(edited.patches).toEqual({ on: [...kernelPreset('6.14'), 'busy-scan-unmapped'].sort(), edits: '+busy-scan-unmapped' })
    expect(runBuiltin('proposal-2022-map-to-truncate', 'proposal-2022').patches!.on).toContain('pgmap-request-folios')
  })
  it('the store keeps it; a run stored without it (before it was recorded) still loads and shows', () => {
    const store = TraceStore.open(join(tempDir(), 'lab.sqlite'))
    try {
      const input = realRun('fsdax-pin-unpin', '6.15')
      const id = store.saveRun(input)
      expect(store.getRun(id)!.result.patches).toEqual(input.result.patches)
      const old = { ...input.result }
      delete old.patches
      const oldId = store.saveRun({ ...input, result: old })
      const loaded = store.getRun(oldId)!.result
      expect(loaded.patches).toBeUndefined()
      expect(renderRun(loaded)).not.toContain('switches:')
      expect(renderRun(store.getRun(id)!.result)).toContain('switches: always-remove-entries, busy-scan-unmapped, common-layout-break')
    } finally {
      store.close()
    }
  })
})

describe('compare and diff show switch differences first', () => {
  it('compareRuns names each switch on in some runs only, and the text puts it before the steps', () => {
    const a = runBuiltin('fsdax-truncate-after-munmap', '6.14')
    const b = runBuiltin('fsdax-truncate-after-munmap', '6.14', { patches: '+busy-scan-unmapped' })
    const cmp = compareRuns([a, b])
    expect(cmp.switches.differs).toEqual(['busy-scan-unmapped'])
    expect(cmp.switches.summary).toBe('busy-scan-unmapped on in 6.14 x86; --patches - vs +busy-scan-unmapped')
    const lines = renderComparison(cmp).split('\n')
    expect(lines[1]).toBe('switches differ: busy-scan-unmapped on in 6.14 x86; --patches - vs +busy-scan-unmapped')
    expect(compareRuns([a, a]).switches).toMatchObject({ differs: [], summary: null })
  })
  it('a run without a record is left out of the comparison instead of reading as "every switch off"', () => {
    const a = runBuiltin('fsdax-pin-unpin', '6.17')
    const old = { ...runBuiltin('fsdax-pin-unpin', '6.14') }
    delete old.patches
    expect(compareRuns([a, old]).switches).toMatchObject({ sets: [a.patches!.on, null], differs: [] })
    expect(switchChanges(a, old)).toBeNull()
  })
  it('the session diff lists the switches on one side only, before the first divergence', () => {
    const loads: Loads = { results: 0, events: 0 }
    const d = diffSessions(
      { label: 'a', runs: [diffRun(engineRun('proposal-2022-map-to-truncate', '6.15'), loads)], notRun: [] },
      { label: 'b', runs: [diffRun(engineRun('proposal-2022-map-to-truncate', 'proposal-2022'), loads)], notRun: [] },
    )
    const c = d.changed[0]!
    expect(c.switches!.only_b).toEqual(['pgmap-request-folios', 'zone-device-refcount-zero'])
    expect(c.switches!.only_a).toContain('fsdax-refcount')
    const text = renderDiffText(d).split('\n')
    const at = text.findIndex((l) => l.startsWith('  switches: only in A '))
    expect(at).toBeGreaterThan(0)
    expect(text[at + 1]).toMatch(/^ {2}first divergence: /)
  })
})

describe('daxlab run and runs show print the switches', () => {
  beforeAll(ensureCli, 120_000)
  it('run --json carries patches; runs show prints them', () => {
    const db = tempDb()
    const r = daxlab(['run', 'fsdax-pin-unpin', '--kernel', '6.14', '--patches', '+busy-scan-unmapped', '--db', db, '--json'])
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout).patches).toEqual({ on: [...kernelPreset('6.14'), 'busy-scan-unmapped'].sort(), edits: '+busy-scan-unmapped' })
    const shown = daxlab(['runs', 'show', '1', '--db', db])
    expect(shown.stdout).toContain(`switches: ${[...kernelPreset('6.14'), 'busy-scan-unmapped'].sort().join(', ')} (--patches +busy-scan-unmapped)`)
  })
})
