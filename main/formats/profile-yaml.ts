/**
 * A profile as the YAML a user would write (docs/formats.md#profile): fields in the documented order,
 * sizes with units (2GiB, not 2147483648). What the app saves and exports; parsing it back gives the
 * same profile (test/services/profiles.test.ts). Pure.
 */
import { stringify } from 'yaml'
import type { Profile, ProfileInput } from './profile'
import { formatSize, parseSize } from './units'

const FIRST_REGION_KEYS = ['name', 'type', 'size']

function sizeText(size: string | number): string | number {
  const bytes = parseSize(size)
  return bytes === undefined ? size : formatSize(bytes)
}

export function profileYaml(profile: Profile | ProfileInput): string {
  const regions = profile.regions.map((r) => {
    const ordered: Record<string, unknown> = { name: r.name, type: r.type, size: sizeText(r.size) }
    for (const [k, v] of Object.entries(r)) if (!FIRST_REGION_KEYS.includes(k) && v !== undefined) ordered[k] = v
    return ordered
  })
  const doc: Record<string, unknown> = {}
  if (profile.name !== undefined) doc.name = profile.name
  if (profile.description !== undefined && profile.description !== '') doc.description = profile.description
  doc.arch = profile.arch
  if (profile.variant !== undefined) doc.variant = profile.variant
  doc.regions = regions
  return stringify(doc, { lineWidth: 0 })
}
