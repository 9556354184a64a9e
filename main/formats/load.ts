/**
 * Parse YAML or JSON text into a validated document. Pure: the caller reads the file.
 *
 * Three readers, fastest first (docs/formats.md#large-scenarios):
 * - JSON (text starting with `{`) through JSON.parse;
 * - YAML whose steps are one flow map per line: those lines by hand (fast-steps.ts), the rest by `yaml`;
 * - any other YAML through `yaml` with node positions, up to MAX_FULL_YAML_BYTES.
 * Errors name the line: the fast readers know each step's line, and the full parser runs again for
 * positions only when a document fails validation (and is small enough).
 */
import { LineCounter, parseDocument, isNode, type Document, type YAMLError } from 'yaml'
import type { z } from 'zod'
import { FormatError, type FormatIssue } from './errors'
import { readFastSteps } from './fast-steps'
import { MAX_ALIASES, MAX_DEPTH, MAX_FULL_YAML_BYTES, MAX_INPUT_BYTES } from './limits'
import { profileSchema, type Profile } from './profile'
import { scenarioSchema, type Scenario } from './scenario'
import { zodIssues } from './zod-issues'
import { settleKernelNumber } from './kernel-field'

type LineFor = (path: readonly PropertyKey[]) => number | undefined

interface RawDocument {
  readonly raw: unknown
  readonly lineFor: LineFor
}

function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  // Walk up the path until a node with a position is found (a missing key points at its parent).
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true)
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line
  }
  return undefined
}

/** yaml's messages, without its code excerpt and its API advice (which names functions users never call). */
function yamlIssue(e: YAMLError, lines: LineCounter): FormatIssue {
  const line = e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line
  if (/call stack/i.test(e.message)) return { path: '', reason: `nested too deeply: at most ${MAX_DEPTH} levels of maps and lists`, line }
  if (e.code === 'MULTIPLE_DOCS') return { path: '', reason: "a file holds one document: remove the second '---' and what follows, or split the file", line }
  const first = (e.message.split('\n')[0] ?? e.message).replace(/;? ?please use [^ ]+\(\)/i, '').replace(/ at line \d+, column \d+:?$/, '')
  return { path: '', reason: first, line }
}

function toJs(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES })
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new FormatError(file, [{ path: '', reason: `too many alias expansions (*name): at most ${MAX_ALIASES} per document` }])
    }
    throw err
  }
}

/** Runs a recursive parser step; a stack overflow becomes the nesting-limit error. */
function guardDepth<T>(file: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    if (err instanceof RangeError) throw depthError(file, '')
    throw err
  }
}

function depthError(file: string, path: string): FormatError {
  return new FormatError(file, [{ path, reason: `nested too deeply: at most ${MAX_DEPTH} levels of maps and lists` }])
}

/** Iterative (no recursion), so it is safe on exactly the inputs it refuses. */
function checkDepth(raw: unknown, file: string): void {
  const stack: { value: unknown; depth: number }[] = [{ value: raw, depth: 0 }]
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!
    if (value === null || typeof value !== 'object') continue
    if (depth >= MAX_DEPTH) throw depthError(file, '')
    for (const child of Object.values(value)) if (child !== null && typeof child === 'object') stack.push({ value: child, depth: depth + 1 })
  }
}

function parseFullYaml(text: string, file: string): RawDocument {
  if (text.length > MAX_FULL_YAML_BYTES) {
    throw new FormatError(file, [
      {
        path: '',
        reason: `YAML over ${MAX_FULL_YAML_BYTES / 2 ** 20} MiB must write each step on one line as a flow map ('- probe: {map: m}'), or be JSON`,
      },
    ])
  }
  const lines = new LineCounter()
  const doc = guardDepth(file, () => parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true }))
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => yamlIssue(e, lines))
    throw new FormatError(file, issues.filter((i, n) => issues.findIndex((j) => j.reason === i.reason && j.line === i.line) === n))
  }
  const raw = guardDepth(file, () => toJs(doc, file))
  return { raw, lineFor: (path) => lineOf(doc, lines, path) }
}

/** Positions from the full parser, computed once and only when an error needs them. */
function lazyFullLines(text: string): LineFor {
  let lineFor: LineFor | undefined
  return (path) => {
    if (text.length > MAX_FULL_YAML_BYTES) return undefined
    try {
      lineFor ??= parseFullYaml(text, '').lineFor
    } catch {
      return undefined
    }
    return lineFor(path)
  }
}

function parseJson(text: string, file: string): RawDocument | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (err) {
    // Small files: the YAML reader (JSON is YAML) names the line. Big ones: JSON's own position.
    if (text.length <= MAX_FULL_YAML_BYTES) return undefined
    const at = /position (\d+)/.exec(String((err as Error).message))
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : undefined
    throw new FormatError(file, [{ path: '', reason: `not valid JSON: ${(err as Error).message.replace(/ in JSON at position \d+.*$/, '')}`, line }])
  }
  return { raw, lineFor: lazyFullLines(text) }
}

/** The fast YAML reader (fast-steps.ts plus `yaml` for the lines around the steps); exported for its tests. */
export function parseFastYaml(text: string): RawDocument | undefined {
  const fast = readFastSteps(text)
  if (!fast) return undefined
  const lines = new LineCounter()
  const doc = parseDocument(fast.rest, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) return undefined
  const head: unknown = guardDepth('', () => doc.toJS({ maxAliasCount: MAX_ALIASES }))
  // `steps:` must have been a real top-level key with nothing after it (not text inside a string).
  if (head === null || typeof head !== 'object' || Array.isArray(head) || !Object.hasOwn(head, 'steps') || (head as { steps: unknown }).steps !== null) return undefined
  const raw = { ...head, steps: fast.steps }
  return {
    raw,
    lineFor: (path) => (path[0] === 'steps' && typeof path[1] === 'number' ? fast.lines[path[1]] : lineOf(doc, lines, path)),
  }
}

/** Text to a plain value plus a line finder, by the fastest reader that can read it. */
export function readDocument(text: string, file: string): RawDocument {
  if (text.length > MAX_INPUT_BYTES) {
    throw new FormatError(file, [{ path: '', reason: `the file is ${(text.length / 2 ** 20).toFixed(1)} MiB: at most ${MAX_INPUT_BYTES / 2 ** 20} MiB` }])
  }
  let doc: RawDocument | undefined
  if (/^\s*\{/.test(text)) doc = parseJson(text, file)
  if (!doc && text.length > 4096) {
    try {
      doc = parseFastYaml(text)
    } catch (err) {
      if (!(err instanceof FormatError) && !(err instanceof ReferenceError)) throw err
      doc = undefined // the full parser reports it with the line
    }
  }
  doc ??= parseFullYaml(text, file)
  checkDepth(doc.raw, file)
  return doc
}

export function parseDocumentText<T extends z.ZodType>(schema: T, text: string, file: string): z.output<T> {
  const { raw, lineFor } = readDocument(text, file)
  return validate(schema, raw, file, lineFor)
}

export function validate<T extends z.ZodType>(schema: T, raw: unknown, file: string, lineFor?: LineFor): z.output<T> {
  const result = schema.safeParse(raw)
  if (result.success) return result.data
  throw new FormatError(
    file,
    zodIssues(result.error.issues).map((issue) => ({ path: issue.path, reason: issue.reason, line: lineFor?.(issue.at) })),
  )
}

export function parseProfileText(text: string, file: string): Profile {
  return parseDocumentText(profileSchema, text, file)
}

function scenarioOf(doc: RawDocument, text: string, file: string): Scenario {
  const settled = settleKernelNumber(doc.raw, text)
  if (settled.issue) throw new FormatError(file, [{ ...settled.issue, line: doc.lineFor(['kernel']) }])
  return validate(scenarioSchema, settled.raw, file, doc.lineFor)
}

export function parseScenarioText(text: string, file: string): Scenario {
  return scenarioOf(readDocument(text, file), text, file)
}

export type UserDocument = { readonly kind: 'scenario'; readonly scenario: Scenario } | { readonly kind: 'profile'; readonly profile: Profile }

/** A scenario (it has `steps`) or else a profile, from one parse (`profiles validate`). */
export function parseUserDocument(text: string, file: string): UserDocument {
  const doc = readDocument(text, file)
  const isScenario = doc.raw !== null && typeof doc.raw === 'object' && Object.hasOwn(doc.raw, 'steps')
  if (isScenario) return { kind: 'scenario', scenario: scenarioOf(doc, text, file) }
  return { kind: 'profile', profile: validate(profileSchema, doc.raw, file, doc.lineFor) }
}
