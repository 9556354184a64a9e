/**
 * zod issues as the lines users read. zod reports a union that matched no alternative as just
 * "Invalid input"; here the alternative the value was clearly meant for (the one whose type matched)
 * gives its own issues, and otherwise the message lists every alternative and why it failed.
 */
import type { z } from 'zod'
import { pathText } from './errors'

export interface PathIssue {
  /** The raw path, for finding the line. */
  readonly at: readonly PropertyKey[]
  readonly path: string
  readonly reason: string
}

type Issue = z.core.$ZodIssue

/** An alternative that failed only because the value has another type (no deeper complaint). */
function onlyTypeMismatch(issues: readonly Issue[]): boolean {
  return issues.every((i) => i.path.length === 0 && i.code === 'invalid_type')
}

function flatten(issues: readonly Issue[], prefix: readonly PropertyKey[], out: PathIssue[]): void {
  for (const issue of issues) {
    const at = [...prefix, ...issue.path]
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const meant = issue.errors.filter((alt) => !onlyTypeMismatch(alt))
      if (meant.length === 1) {
        flatten(meant[0]!, at, out)
        continue
      }
      if (meant.length === 0) {
        const expected = issue.errors.flatMap((alt) => alt.map((i) => (i.code === 'invalid_type' ? i.expected : undefined))).filter((e) => e !== undefined)
        const received = /received (\w+)/.exec(issue.errors[0]?.[0]?.message ?? '')?.[1]
        out.push({ at, path: pathText(at), reason: `expected ${expected.join(' or ')}${received ? `, received ${received}` : ''}` })
        continue
      }
      const why = issue.errors.map((alt, n) => `(${n + 1}) ${alt.map((i) => (i.path.length ? `${pathText(i.path)}: ` : '') + i.message.replace(/^Invalid input: /, '')).join(', ')}`)
      out.push({ at, path: pathText(at), reason: `matches none of the accepted forms: ${why.join('; ')}` })
      continue
    }
    out.push({ at, path: pathText(at), reason: issue.message })
  }
}

export function zodIssues(issues: readonly Issue[]): PathIssue[] {
  const out: PathIssue[] = []
  flatten(issues, [], out)
  return out
}
