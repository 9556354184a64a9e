/**
 * One error type for every user-supplied document (profile, scenario, archive, IPC payload): it names
 * the file, the field path and the reason, and the line when the source text is known.
 */
export interface FormatIssue {
  /** Field path as users read it: `steps[3].gup.pages`. Empty for the document itself. */
  readonly path: string
  readonly reason: string
  readonly line?: number
}

/**
 * Issues the message spells out, at most: a generated scenario with one mistake repeated in every
 * step (a 120k-step file written in the engine's own step form) printed 120k lines. `issues` keeps
 * them all for a caller that marks each (the app's editor).
 */
export const MAX_MESSAGE_ISSUES = 20

export class FormatError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly FormatIssue[],
  ) {
    const shown = issues.slice(0, MAX_MESSAGE_ISSUES).map((i) => formatIssue(file, i))
    const more = issues.length - shown.length
    if (more > 0) shown.push(`${file}: and ${more} more problem${more === 1 ? '' : 's'} (the first ${MAX_MESSAGE_ISSUES} are shown)`)
    super(shown.join('\n'))
    this.name = 'FormatError'
  }
}

export function formatIssue(file: string, issue: FormatIssue): string {
  const where = issue.line !== undefined ? `${file}:${issue.line}` : file
  return issue.path ? `${where}: ${issue.path}: ${issue.reason}` : `${where}: ${issue.reason}`
}

export function pathText(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out ? `.${String(key)}` : String(key)
  }
  return out
}
