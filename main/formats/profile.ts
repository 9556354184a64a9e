/**
 * Hardware profile: the machine a scenario runs on. Validated with zod at the trust boundary; the
 * engine only ever sees a parsed Profile. Format: docs/formats.md#profile.
 */
import { z } from 'zod'
import { parseSize } from './units'

export const ARCH_NAMES = ['x86', 'arm64', 'powerpc', 'riscv', 'loongarch'] as const
export const REGION_TYPES = ['fsdax', 'devdax', 'device-private', 'device-coherent', 'p2pdma', 'system-ram'] as const
export const FILESYSTEMS = ['ext4', 'xfs', 'virtiofs'] as const
export const DEVDAX_ALIGNS = ['4KiB', '2MiB', '1GiB'] as const

export const sizeSchema = z.union([z.string(), z.number()], { error: 'expected a size such as 4KiB, 2MiB, 1GiB or a byte count' }).transform((value, ctx) => {
  const bytes = parseSize(value)
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: `'${value}' is not a size (write e.g. 4KiB, 2MiB, 1GiB, 1TiB or a byte count)` })
    return z.NEVER
  }
  return bytes
})

const name = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . - only')

const regionBase = z.object({ name, size: sizeSchema, numa_node: z.number().int().min(0).optional() })

export const regionSchema = z.discriminatedUnion('type', [
  regionBase.extend({
    type: z.literal('fsdax'),
    fs: z.enum(FILESYSTEMS),
    mount: z.string().regex(/^\//, 'a mount path must be absolute'),
  }).strict(),
  regionBase.extend({ type: z.literal('devdax'), align: z.enum(DEVDAX_ALIGNS).default('2MiB') }).strict(),
  regionBase.extend({ type: z.literal('device-private'), owner: z.string().optional() }).strict(),
  regionBase.extend({ type: z.literal('device-coherent'), owner: z.string().optional() }).strict(),
  regionBase.extend({ type: z.literal('p2pdma'), device: z.string().optional() }).strict(),
  regionBase.extend({ type: z.literal('system-ram') }).strict(),
])

export const profileSchema = z
  .object({
    name: name.optional(),
    description: z.string().optional(),
    arch: z.enum(ARCH_NAMES),
    variant: z.string().optional(),
    regions: z.array(regionSchema).min(1, 'a profile needs at least one region'),
  })
  .strict()
  .superRefine((profile, ctx) => {
    const seen = new Set<string>()
    profile.regions.forEach((r, i) => {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: ['regions', i, 'name'], message: `duplicate region name '${r.name}'` })
      seen.add(r.name)
      if (r.size === 0) ctx.addIssue({ code: 'custom', path: ['regions', i, 'size'], message: 'a region cannot be empty' })
    })
    const mounts = new Set<string>()
    profile.regions.forEach((r, i) => {
      if (r.type !== 'fsdax') return
      if (mounts.has(r.mount)) ctx.addIssue({ code: 'custom', path: ['regions', i, 'mount'], message: `mount '${r.mount}' is used twice` })
      mounts.add(r.mount)
    })
  })

export type Profile = z.output<typeof profileSchema>
export type Region = Profile['regions'][number]
export type RegionType = Region['type']
export type ProfileInput = z.input<typeof profileSchema>
