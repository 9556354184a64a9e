/** Shared by the profile and scenario properties: how documents are written, damaged and judged. */
import { fc } from '@fast-check/vitest'
import { expect } from 'vitest'
import { stringify } from 'yaml'
import { FormatError } from '../../main/formats/errors'
import { CASE_TIMEOUT_MS } from './budget'

type Parse = (text: string, file: string) => unknown

/**
 * JSON goes to the JSON reader; `#` + JSON is YAML flow for the full YAML parser; block YAML (slow to
 * write, so only for small documents) exercises indentation and block scalars.
 */
export function serialise(value: unknown, form: 'yaml' | 'flow' | 'json'): string {
  const json = JSON.stringify(value) ?? 'null'
  if (form === 'json') return json
  if (form === 'flow' || json.length > 2000) return `# flow\n${json}`
  try {
    return stringify(value, { aliasDuplicateObjects: false })
  } catch {
    return `# flow\n${json}`
  }
}

/** Parses; a FormatError must name where; anything else thrown fails the property. */
export function parsesOrNamesWhere(parse: Parse, text: string, file: string): void {
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

export const form = fc.constantFrom('yaml' as const, 'flow' as const, 'json' as const)

/** Random damage to a text: insert, delete or replace a few characters at random places. */
export const damage = fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom('', ':', '{', '}', '[', '-', ' ', '\n', '"', "'", '&a', '*a', '#', '\t', '\u0000', '0x', '__proto__')), { minLength: 1, maxLength: 4 })
export function damaged(text: string, edits: [number, number, string][]): string {
  let out = text
  for (const [at, cut, put] of edits) {
    const i = at % (out.length + 1)
    out = out.slice(0, i) + put + out.slice(i + cut)
  }
  return out
}

