/**
 * Every scenario text either parses or fails with a FormatError whose every issue names a
 * field path or a line; nothing else escapes (no TypeError, no stack overflow), and no case hangs.
 * Documents come from the schema-derived arbitraries, written as YAML (block and flow), JSON, or the
 * one-line step form, and some texts are damaged at random.
 */
import { fc, test } from '@fast-check/vitest'
import { describe } from 'vitest'
import { parseScenarioText } from '../../main/formats/load'
import { builtinScenarioNames, builtinScenarioText } from '../../main/library/index'
import { scenario } from './arbitraries'
import { fuzzRuns, testTimeout } from './budget'
import { damage, damaged, form, parsesOrNamesWhere, serialise } from './documents'

describe('scenarios', () => {
  const runs = fuzzRuns()
  test.prop([scenario, form], { numRuns: runs })('parse or name the field/line', (doc, f) => {
    parsesOrNamesWhere(parseScenarioText, serialise(doc, f), `s.${f === 'json' ? 'json' : 'yaml'}`)
  }, testTimeout(runs))

  const names = builtinScenarioNames()
  const damagedRuns = fuzzRuns(0.2)
  test.prop([fc.constantFrom(...names), damage], { numRuns: damagedRuns })('damaged built-ins parse or name the line', (name, edits) => {
    parsesOrNamesWhere(parseScenarioText, damaged(builtinScenarioText(name)!.text, edits), 'd.yaml')
  }, testTimeout(damagedRuns))

  // Big enough (> 4 KiB) for the fast reader, damaged: the fast reader and the full parser agree or fail cleanly.
  const bigRuns = fuzzRuns(0.02)
  test.prop([damage], { numRuns: bigRuns })('damaged big one-line scenarios parse or name the line', (edits) => {
    const steps = Array.from({ length: 120 }, (_, i) => `  - probe: {label: p${i}, map: m, offset: ${i * 4096}}`).join('\n')
    const text = `name: big\ndescription: d\nprofile: x86-pmem-fsdax\nsteps:\n  - create: {file: /mnt/pmem0/f, length: 1MiB}\n  - mmap: {id: m, file: /mnt/pmem0/f, length: 1MiB}\n${steps}\n`
    parsesOrNamesWhere(parseScenarioText, damaged(text, edits), 'big.yaml')
  }, testTimeout(bigRuns))
})
