/**
 * A hardware profile's problems as the profile editor shows them: one sentence per field, in plain
 * words, keyed by the field's path (`regions[1].mount`). The same zod schema as the CLI decides what is
 * wrong (profileSchema); this only words it. zod's own wording ("Invalid option: expected one of
 * \"ext4\"|\"xfs\"") is replaced by sentences built from the issue's code and the field's name; the
 * messages the schema writes itself (sizes, names, duplicates) are already plain and pass through.
 * Pure: the renderer and the services both use it.
 */
import type { z } from 'zod'
import { pathText } from './errors'
import { REGION_TYPES, profileSchema } from './profile'

export interface FieldIssue {
  /** Path as the form keys its fields: `name`, `regions[0].size`. Empty for the profile as a whole. */
  readonly field: string
  readonly message: string
}

const LABELS: Record<string, string> = {
  name: 'the name',
  description: 'the description',
  arch: 'the arch',
  variant: 'the variant',
  regions: 'the region list',
  type: 'the region type',
  size: 'the size',
  fs: 'the filesystem',
  mount: 'the mount path',
  align: 'the alignment',
  numa_node: 'the NUMA node',
  owner: 'the owner',
  device: 'the device',
}

function labelOf(path: readonly PropertyKey[]): string {
  const last = [...path].reverse().find((k) => typeof k === 'string')
  return last === undefined ? 'this value' : (LABELS[last] ?? `'${last}'`)
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

type Issue = z.core.$ZodIssue

function choices(values: readonly unknown[]): string {
  const words = values.map(String)
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`
}

/** zod's default wording starts with one of these; a message the schema wrote itself does not. */
const ZOD_DEFAULT = /^(Invalid|Too (small|big)|Unrecognized|Expected)/

function sentence(issue: Issue, value: unknown): string {
  const label = labelOf(issue.path)
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) return `${capitalised(label)} is required.`
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'number' || issue.expected === 'int') return `${capitalised(label)} must be a whole number.`
      if (issue.expected === 'array') return `${capitalised(label)} must be a list.`
      return ZOD_DEFAULT.test(issue.message) ? `${capitalised(label)} must be text.` : `${capitalised(label)}: ${issue.message}.`
    case 'invalid_value':
      return `${capitalised(label)} must be one of ${choices(issue.values)}.`
    case 'unrecognized_keys':
      return `${issue.keys.map((k) => `'${k}'`).join(', ')} ${issue.keys.length === 1 ? 'is not a field' : 'are not fields'} of ${issue.path.length === 0 ? 'a profile' : 'this kind of region'}; remove ${issue.keys.length === 1 ? 'it' : 'them'}.`
    case 'too_small':
      if (!ZOD_DEFAULT.test(issue.message)) break
      return issue.origin === 'number' ? `${capitalised(label)} must be ${String(issue.minimum)} or more.` : `${capitalised(label)} cannot be empty.`
    case 'invalid_union':
      // A region whose type is none of the known ones: the only union in a profile.
      return `The region type must be one of ${choices(REGION_TYPES)}.`
    default:
      break
  }
  const own = issue.message.replace(/^Invalid input: /, '')
  return ZOD_DEFAULT.test(own) ? `${capitalised(label)} is not valid.` : `${capitalised(own)}${/[.!?]$/.test(own) ? '' : '.'}`
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined
    v = (v as Record<PropertyKey, unknown>)[key]
  }
  return v
}

/** Every problem of a profile document (as the form holds it), one per field, in the schema's order. */
export function profileFieldIssues(input: unknown): FieldIssue[] {
  const result = profileSchema.safeParse(input)
  if (result.success) return []
  const out: FieldIssue[] = []
  const seen = new Set<string>()
  for (const issue of result.error.issues) {
    // A region of a type the schema does not know has no branch to report: point at its type.
    const at = issue.code === 'invalid_union' && issue.path[issue.path.length - 1] !== 'type' ? [...issue.path, 'type'] : issue.path
    const field = pathText(at)
    if (seen.has(field)) continue // one sentence per field: the first is the one to fix first
    seen.add(field)
    out.push({ field, message: sentence(issue, valueAt(input, issue.path)) })
  }
  return out
}
