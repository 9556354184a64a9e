/**
 * Parse YAML or JSON text into a validated document. YAML keeps node positions, so an error names the
 * line as well as the field path. Pure: the caller reads the file.
 */
import { LineCounter, parseDocument, isNode, type Document } from 'yaml'
import type { z } from 'zod'
import { FormatError, pathText, type FormatIssue } from './errors'
import { profileSchema, type Profile } from './profile'
import { scenarioSchema, type Scenario } from './scenario'

function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  // Walk up the path until a node with a position is found (a missing key points at its parent).
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true)
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line
  }
  return undefined
}

export function parseDocumentText<T extends z.ZodType>(schema: T, text: string, file: string): z.output<T> {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    throw new FormatError(
      file,
      doc.errors.map((e) => ({ path: '', reason: e.message.split('\n')[0] ?? e.message, line: e.linePos?.[0]?.line })),
    )
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 })
  return validate(schema, raw, file, (path) => lineOf(doc, lines, path))
}

export function validate<T extends z.ZodType>(
  schema: T,
  raw: unknown,
  file: string,
  lineFor?: (path: readonly PropertyKey[]) => number | undefined,
): z.output<T> {
  const result = schema.safeParse(raw)
  if (result.success) return result.data
  const issues: FormatIssue[] = result.error.issues.map((issue) => ({
    path: pathText(issue.path),
    reason: issue.message,
    line: lineFor?.(issue.path),
  }))
  throw new FormatError(file, issues)
}

export function parseProfileText(text: string, file: string): Profile {
  return parseDocumentText(profileSchema, text, file)
}

export function parseScenarioText(text: string, file: string): Scenario {
  return parseDocumentText(scenarioSchema, text, file)
}
