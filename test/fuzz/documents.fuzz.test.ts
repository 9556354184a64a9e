/**
 * Every profile and scenario text either parses or fails with a FormatError whose every issue names a
 * field path or a line; nothing else escapes (no TypeError, no stack overflow), and no case hangs.
 * Documents come from the schema-derived arbitraries, written as YAML (block and flow), JSON, or the
 * one-line step form, and some texts are damaged at random.
 */
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { stringify } from 'yaml'
import { FormatError } from '../../main/formats/errors'
import { parseProfileText, parseScenarioText } from '../../main/formats/load'
import { builtinScenarioNames, builtinScenarioText } from '../../main/library/index'
import { profile, scenario } from './arbitraries'
import { CASE_TIMEOUT_MS, fuzzRuns, testTimeout } from './budget'

type Parse = (text: string, file: string) => unknown

function serialise(value: unknown, form: 'yaml' | 'flow' | 'json'): string {
  try {
    if (form === 'json') return JSON.stringify(value)
    return stringify(value, { collectionStyle: form === 'flow' ? 'flow' : 'any', aliasDuplicateObjects: false })
  } catch {
    return JSON.stringify(value) ?? 'null'
  }
}

/** Parses; a FormatError must name where; anything else thrown fails the property. */
function parsesOrNamesWhere(parse: Parse, text: string, file: string): void {
  const start = performance.now()
  try {
    parse(text, file)
  } catch (err) {
    if (!(err instanceof FormatError)) throw new Error(`not a FormatError: ${String(err)}`, { cause: err })
    expect(err.issues.length).toBeGreaterThan(0)
    for (const issue of err.issues) {
      expect(issue.reason.length).toBeGreaterThan(0)
      expect(issue.reason).not.toMatch(/^Invalid input$/)
      // A document-level problem (syntax, size, depth) carries its line or is about the whole file.
      if (issue.path === '') expect(issue.line !== undefined || /nested|alias|file|YAML|JSON|document/.test(issue.reason)).toBe(true)
    }
  }
  expect(performance.now() - start).toBeLessThan(CASE_TIMEOUT_MS)
}

const form = fc.constantFrom('yaml' as const, 'flow' as const, 'json' as const)

/** Random damage to a text: insert, delete or replace a few characters at random places. */
const damage = fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom('', ':', '{', '}', '[', '-', ' ', '\n', '"', "'", '&a', '*a', '#', '\t', '\u0000', '0x', '__proto__')), { minLength: 1, maxLength: 4 })
function damaged(text: string, edits: [number, number, string][]): string {
  let out = text
  for (const [at, cut, put] of edits) {
    const i = at % (out.length + 1)
    out = out.slice(0, i) + put + out.slice(i + cut)
  }
  return out
}

describe('profiles', () => {
  const runs = fuzzRuns()
  test.prop([profile, form], { numRuns: runs })('parse or name the field/line', (doc, f) => {
    parsesOrNamesWhere(parseProfileText, serialise(doc, f), `p.${f === 'json' ? 'json' : 'yaml'}`)
  }, testTimeout(runs))
})

describe('scenarios', () => {
  const runs = fuzzRuns()
  test.prop([scenario, form], { numRuns: runs })('parse or name the field/line', (doc, f) => {
    parsesOrNamesWhere(parseScenarioText, serialise(doc, f), `s.${f === 'json' ? 'json' : 'yaml'}`)
  }, testTimeout(runs))

  const names = builtinScenarioNames()
  const damagedRuns = fuzzRuns(0.5)
  test.prop([fc.constantFrom(...names), damage], { numRuns: damagedRuns })('damaged built-ins parse or name the line', (name, edits) => {
    parsesOrNamesWhere(parseScenarioText, damaged(builtinScenarioText(name)!.text, edits), 'd.yaml')
  }, testTimeout(damagedRuns))

  // Big enough (> 4 KiB) for the fast reader, damaged: the fast reader and the full parser agree or fail cleanly.
  const bigRuns = fuzzRuns(0.05)
  test.prop([damage], { numRuns: bigRuns })('damaged big one-line scenarios parse or name the line', (edits) => {
    const steps = Array.from({ length: 120 }, (_, i) => `  - probe: {label: p${i}, map: m, offset: ${i * 4096}}`).join('\n')
    const text = `name: big\ndescription: d\nprofile: x86-pmem-fsdax\nsteps:\n  - create: {file: /mnt/pmem0/f, length: 1MiB}\n  - mmap: {id: m, file: /mnt/pmem0/f, length: 1MiB}\n${steps}\n`
    parsesOrNamesWhere(parseScenarioText, damaged(text, edits), 'big.yaml')
  }, testTimeout(bigRuns))
})
