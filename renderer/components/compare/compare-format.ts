/**
 * How the compare view writes one run's values at a step (the map `stepValues` makes, main/sim/compare.ts):
 * a fixed field order with short names, so the same field sits at the same place in every run's cell.
 */
const ORDER = ['status', 'waited', 'error', 'signal', 'refcount', 'mapcount', 'pincount', 'entry', 'pfn', 'order'] as const
const SHORT: Record<string, string> = { refcount: 'ref', mapcount: 'map', pincount: 'pin' }

export interface ValuePart {
  readonly field: string
  readonly text: string
  readonly differs: boolean
}

/**
 * The parts of one run's cell. A differing field this run does not have (another run waited, this one
 * did not) is shown as absent, so the difference is marked on every side.
 */
export function valueParts(values: Readonly<Record<string, string>>, differs: readonly string[]): ValuePart[] {
  const known = new Set<string>(ORDER)
  const shown = (f: string) => f in values || differs.includes(f)
  const fields = [...ORDER.filter(shown), ...[...Object.keys(values), ...differs].filter((f, i, all) => !known.has(f) && all.indexOf(f) === i)]
  return fields.map((field) => {
    const value = values[field]
    const name = SHORT[field] ?? field
    const text = value === undefined ? (field === 'waited' ? 'no wait' : `no ${name}`) : field === 'status' ? value : field === 'waited' ? 'waited' : `${name} ${value}`
    return { field, text, differs: differs.includes(field) }
  })
}

/** The run summary fields the header lines up, with the ones not equal in every run. */
export const SUMMARY_FIELDS = ['scenario', 'kernel', 'scheme', 'arch', 'variant', 'profile', 'steps', 'events', 'violations', 'blocked'] as const

export function differingFields<T extends object>(rows: readonly T[], fields: readonly (keyof T & string)[]): Set<string> {
  return new Set(fields.filter((f) => new Set(rows.map((r) => String(r[f]))).size > 1))
}
