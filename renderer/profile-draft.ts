/**
 * The profile editor's form model: a hardware profile as the form holds it (sizes as a number and a
 * unit, every region's type-specific fields), and the conversions to and from the profile document the
 * schema validates (main/formats/profile.ts). Pure, so the store and its tests share it.
 */
import type { Profile, ProfileInput, RegionType } from '../main/formats/profile'
import { DEVDAX_ALIGNS, FILESYSTEMS } from '../main/formats/profile'

export const SIZE_UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'B'] as const
export type SizeUnit = (typeof SIZE_UNITS)[number]

export interface RegionDraft {
  /** Stable identity for the list (v-for key) while regions are added, removed and reordered. */
  readonly key: number
  name: string
  type: RegionType
  /** The number typed, as text (so a half-typed value stays on screen and is reported, not lost). */
  sizeValue: string
  sizeUnit: SizeUnit
  /** Empty: not set (the field is optional). */
  numaNode: string
  fs: string
  mount: string
  align: string
  owner: string
  device: string
}

export interface ProfileDraft {
  name: string
  description: string
  arch: string
  /** Empty: the arch's default variant. */
  variant: string
  regions: RegionDraft[]
}

/** Which type-specific fields each region type has (the schema's discriminated union). */
export const REGION_FIELDS: Readonly<Record<RegionType, readonly ('fs' | 'mount' | 'align' | 'owner' | 'device')[]>> = {
  fsdax: ['fs', 'mount'],
  devdax: ['align'],
  'device-private': ['owner'],
  'device-coherent': ['owner'],
  p2pdma: ['device'],
  'system-ram': [],
}

let nextKey = 1

/** A key no region in this page has had. */
export function freshKey(): number {
  return nextKey++
}

export function blankRegion(type: RegionType, index: number): RegionDraft {
  const name = type === 'fsdax' ? `pmem${index}` : type === 'devdax' ? `dax${index}` : type === 'system-ram' ? `ram${index}` : `dev${index}`
  return {
    key: freshKey(),
    name,
    type,
    sizeValue: type === 'system-ram' ? '8' : '16',
    sizeUnit: 'GiB',
    numaNode: '',
    fs: FILESYSTEMS[0],
    mount: `/mnt/${name}`,
    align: '2MiB',
    owner: '',
    device: '',
  }
}

export function blankProfile(): ProfileDraft {
  return { name: 'my-machine', description: '', arch: 'x86', variant: '', regions: [blankRegion('fsdax', 0)] }
}

/** A size in bytes as the largest unit that divides it. */
function sizeParts(bytes: number): { sizeValue: string; sizeUnit: SizeUnit } {
  for (const [unit, shift] of [['TiB', 40], ['GiB', 30], ['MiB', 20], ['KiB', 10]] as const) {
    const u = 2 ** shift
    if (bytes >= u && bytes % u === 0) return { sizeValue: String(bytes / u), sizeUnit: unit }
  }
  return { sizeValue: String(bytes), sizeUnit: 'B' }
}

/** A parsed profile (sizes in bytes) into the form. */
export function draftOf(profile: Profile): ProfileDraft {
  return {
    name: profile.name ?? '',
    description: profile.description ?? '',
    arch: profile.arch,
    variant: profile.variant ?? '',
    regions: profile.regions.map((r) => {
      const region = blankRegion(r.type, 0)
      Object.assign(region, { name: r.name, numaNode: r.numa_node === undefined ? '' : String(r.numa_node), ...sizeParts(r.size) })
      if (r.type === 'fsdax') Object.assign(region, { fs: r.fs, mount: r.mount })
      if (r.type === 'devdax') region.align = r.align
      if (r.type === 'device-private' || r.type === 'device-coherent') region.owner = r.owner ?? ''
      if (r.type === 'p2pdma') region.device = r.device ?? ''
      return region
    }),
  }
}

function numberOrText(text: string): number | string {
  return /^\s*-?\d+\s*$/.test(text) ? Number(text) : text
}

/**
 * The form as the profile document the schema checks: what is typed goes in as typed (a bad size stays
 * a string, so the schema's own message names it), empty optional fields are left out.
 */
export function inputOf(draft: ProfileDraft): ProfileInput {
  const regions = draft.regions.map((r) => {
    const out: Record<string, unknown> = { name: r.name, type: r.type, size: `${r.sizeValue.trim()}${r.sizeUnit === 'B' ? '' : r.sizeUnit}` }
    if (r.numaNode.trim() !== '') out.numa_node = numberOrText(r.numaNode.trim())
    for (const field of REGION_FIELDS[r.type]) {
      const value = r[field]
      if (value !== '') out[field] = value
    }
    return out
  })
  const doc: Record<string, unknown> = { name: draft.name, arch: draft.arch, regions }
  if (draft.description.trim() !== '') doc.description = draft.description
  if (draft.variant !== '') doc.variant = draft.variant
  return doc as unknown as ProfileInput
}

/** Changing a region's type keeps its name and size and gives the new type's fields their defaults. */
export function retype(region: RegionDraft, type: RegionType): RegionDraft {
  const fresh = blankRegion(type, 0)
  return { ...fresh, key: region.key, name: region.name, sizeValue: region.sizeValue, sizeUnit: region.sizeUnit, numaNode: region.numaNode, mount: region.mount || fresh.mount }
}

/** `base` if it is free, else `base-2`, `base-3`, ... */
export function uniqueName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`
}

export { DEVDAX_ALIGNS, FILESYSTEMS }
