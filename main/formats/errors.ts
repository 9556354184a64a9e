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

export class FormatError extends Error {
  constructor(
    readonly file: string,
    readonly issues: readonly FormatIssue[],
  ) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'))
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
