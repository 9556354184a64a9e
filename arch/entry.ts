/**
 * Generic encode/decode of page-table entries from a plugin's declared fields, and the generic helpers
 * of include/linux/pgtable.h (pte_present, pte_write, pte_special, pte_devmap, pmd_leaf,
 * pmd_trans_huge, ...) derived from the layout. Plugins override a helper only where their arch differs.
 */
import type { ArchContext, ArchPlugin, BitFieldDecl, FlagSpec, LeafRecipe, Level, VariantDecl } from './api'
import { depositField, extractField, fieldMask, toHex } from './bits'
import { formatKernel, formatKernelRange, inKernelRange, type KernelVersion } from './kernel'

export class ArchError extends Error {}

export function resolveVariant(plugin: ArchPlugin, name?: string): VariantDecl {
  const wanted = name ?? plugin.defaultVariant
  const variant = plugin.variants.find((v) => v.name === wanted)
  if (!variant) {
    const names = plugin.variants.map((v) => v.name).join(', ')
    throw new ArchError(`variant '${wanted}' is not a ${plugin.id} variant (one of: ${names})`)
  }
  return variant
}

export function context(plugin: ArchPlugin, kernel: KernelVersion, variant?: string): ArchContext {
  return { kernel, variant: resolveVariant(plugin, variant) }
}

/** Fields the kernel defines at this level for this release and variant. */
export function fieldsAt(plugin: ArchPlugin, ctx: ArchContext, level: Level): BitFieldDecl[] {
  return plugin.fields.filter(
    (f) =>
      f.levels.includes(level) &&
      inKernelRange(ctx.kernel, f.kernels) &&
      (f.variants === undefined || f.variants.includes(ctx.variant.name)),
  )
}

export function flagsOf(spec: FlagSpec | undefined, level: Level): readonly string[] {
  if (!spec) return []
  if (Array.isArray(spec)) return spec as readonly string[]
  return (spec as Partial<Record<Level, readonly string[]>>)[level] ?? []
}

function findField(plugin: ArchPlugin, ctx: ArchContext, level: Level, name: string): BitFieldDecl {
  const field = fieldsAt(plugin, ctx, level).find((f) => f.name === name)
  if (field) return field
  const elsewhere = plugin.fields.find((f) => f.name === name)
  if (!elsewhere) throw new ArchError(`${plugin.id} has no flag '${name}'`)
  if (!elsewhere.levels.includes(level)) {
    throw new ArchError(`${plugin.id} flag '${name}' is not defined at ${level} level`)
  }
  if (elsewhere.variants && !elsewhere.variants.includes(ctx.variant.name)) {
    throw new ArchError(`${plugin.id} flag '${name}' does not exist in variant ${ctx.variant.name}`)
  }
  const ranges = plugin.fields.filter((f) => f.name === name && f.levels.includes(level)).map((f) => `${formatKernelRange(f.kernels)} (bit ${f.shift})`)
  throw new ArchError(`${plugin.id} flag '${name}' does not exist in kernel ${formatKernel(ctx.kernel)}: ${elsewhere.macro} is defined in ${ranges.join(', ')}`)
}


export function pfnField(ctx: ArchContext, level: Level) {
  const field = ctx.variant.pfn[level]
  if (!field) throw new ArchError(`variant ${ctx.variant.name} has no ${level}-level leaf entries`)
  return field
}

export function levelShift(variant: VariantDecl, level: Level): number {
  if (level === 'pte') return variant.pageShift
  if (level === 'pmd') return variant.pmdShift
  if (variant.pudShift === undefined) throw new ArchError(`variant ${variant.name} has no PUD-level leaves`)
  return variant.pudShift
}

export function encodeEntry(
  plugin: ArchPlugin,
  ctx: ArchContext,
  level: Level,
  pfn: bigint,
  flags: readonly string[],
): bigint {
  const field = pfnField(ctx, level)
  const pagesPerEntry = 1n << BigInt(levelShift(ctx.variant, level) - ctx.variant.pageShift)
  if (pfn < 0n || pfn % pagesPerEntry !== 0n) {
    throw new ArchError(`pfn ${toHex(pfn)} is not aligned to a ${level} leaf (${pagesPerEntry} pages)`)
  }
  const raw = pfn << BigInt(ctx.variant.pfnShift)
  const mask = fieldMask(field.lo, field.hi - field.lo + 1)
  if ((raw & ~mask) !== 0n) throw new ArchError(`pfn ${toHex(pfn)} does not fit the ${level} address field`)
  const { clear, set } = flagMasks(plugin, ctx, level, flags)
  return (raw & ~clear) | set
}

/**
 * What a list of flags does to an entry, as two masks: the bits the flags' fields cover (`clear`) and
 * the values deposited there (`set`), so value = (raw & ~clear) | set. NAME sets every bit of its field;
 * NAME=value deposits a value into a multi-bit field. Depositing the flags one by one onto 0 gives
 * `set` exactly, later flags winning where fields overlap, as sequential deposits would.
 */
export function flagMasks(plugin: ArchPlugin, ctx: ArchContext, level: Level, flags: readonly string[]): { clear: bigint; set: bigint } {
  let clear = 0n
  let set = 0n
  for (const flag of flags) {
    const [name, given] = flag.split('=', 2) as [string, string | undefined]
    const f = findField(plugin, ctx, level, name)
    const width = f.width ?? 1
    const max = (1n << BigInt(width)) - 1n
    const fieldValue = given === undefined ? max : BigInt(given)
    if (fieldValue < 0n || fieldValue > max) throw new ArchError(`${name}=${given} does not fit ${width} bit(s)`)
    set = depositField(set, f.shift, width, fieldValue)
    clear |= fieldMask(f.shift, width)
  }
  return { clear, set }
}

/** The leaf recipe with the variant's replacements applied. */
export function recipeFor(plugin: ArchPlugin, ctx: ArchContext): Omit<LeafRecipe, 'byVariant'> {
  return { ...plugin.leaf, ...(plugin.leaf.byVariant?.[ctx.variant.name] ?? {}) }
}

export interface DecodedEntry {
  readonly pfn: bigint
  /** Flags whose bits are all set, in bit order. Multi-bit fields appear as NAME=value when non-zero. */
  readonly flags: readonly string[]
  /** Set bits outside every declared field and the address field. */
  readonly unknownBits: bigint
}

export function decodeEntry(plugin: ArchPlugin, ctx: ArchContext, level: Level, value: bigint): DecodedEntry {
  const field = pfnField(ctx, level)
  const addrMask = fieldMask(field.lo, field.hi - field.lo + 1)
  const flags: string[] = []
  let known = addrMask
  const fields = [...fieldsAt(plugin, ctx, level)].sort((a, b) => a.shift - b.shift)
  for (const f of fields) {
    const width = f.width ?? 1
    const mask = fieldMask(f.shift, width)
    // A field overlapping the address field (ppc/hash software bits in low RPN bits) is read as a
    // flag but does not make address bits "known" twice.
    known |= mask
    const v = extractField(value, f.shift, width)
    if (width === 1) {
      if (v === 1n) flags.push(f.name)
    } else if (v !== 0n) {
      flags.push(`${f.name}=${v.toString()}`)
    }
  }
  const overlap = fields.some((f) => (fieldMask(f.shift, f.width ?? 1) & addrMask) !== 0n)
  const addrBits = overlap
    ? value & addrMask & ~fields.reduce((m, f) => m | fieldMask(f.shift, f.width ?? 1), 0n)
    : value & addrMask
  return {
    pfn: addrBits >> BigInt(ctx.variant.pfnShift),
    flags,
    unknownBits: value & ~known,
  }
}

/** What a leaf the engine writes means; the plugin's recipe turns it into bits. */
export interface LeafSemantics {
  readonly pfn: bigint
  readonly write: boolean
  readonly dirty: boolean
  readonly special: boolean
  readonly devmap: boolean
}

/** The flags pte_mkdevmap()/pmd_mkdevmap()/pud_mkdevmap() set in this release, or undefined if absent. */
export function devmapFlags(plugin: ArchPlugin, ctx: ArchContext, level: Level): readonly string[] | undefined {
  const entry = recipeFor(plugin, ctx).devmap.find((d) => inKernelRange(ctx.kernel, d.kernels))
  if (!entry) return undefined
  const flags = flagsOf(entry.flags, level)
  return flags.length > 0 ? flags : undefined
}

export function leafFlags(plugin: ArchPlugin, ctx: ArchContext, level: Level, s: LeafSemantics): string[] {
  const leaf = recipeFor(plugin, ctx)
  const set = new Set<string>(flagsOf(leaf.base, level))
  if (level !== 'pte') {
    for (const f of flagsOf(leaf.huge, level)) set.add(f)
    for (const f of flagsOf(leaf.hugeClears, level)) set.delete(f)
  }
  if (s.write) {
    for (const f of flagsOf(leaf.write, level)) set.add(f)
    for (const f of flagsOf(leaf.writeClears, level)) set.delete(f)
  }
  if (s.dirty) for (const f of flagsOf(leaf.dirty, level)) set.add(f)
  if (s.dirty && s.write) for (const f of flagsOf(leaf.dirtyClears, level)) set.delete(f)
  if (s.special) for (const f of flagsOf(leaf.special, level)) set.add(f)
  if (s.devmap) {
    const flags = devmapFlags(plugin, ctx, level)
    if (!flags) {
      throw new ArchError(`${plugin.id} has no ${level}_mkdevmap() in kernel ${formatKernel(ctx.kernel)}`)
    }
    for (const f of flags) set.add(f)
  }
  return [...set]
}

export function encodeLeaf(plugin: ArchPlugin, ctx: ArchContext, level: Level, s: LeafSemantics): bigint {
  return encodeEntry(plugin, ctx, level, s.pfn, leafFlags(plugin, ctx, level, s))
}

/** A leaf encoder for one (arch, variant, kernel, level): see compileLeafEncoder. */
export type LeafEncoder = (pfn: number, write: boolean, dirty: boolean, special: boolean, devmap: boolean) => bigint

/**
 * encodeLeaf() compiled once for one (plugin, variant, kernel, level). The fields, the recipe and the
 * kernel ranges are resolved when a combination of write/dirty/special/devmap is first used, into a
 * clear mask and a set mask; the pfn checks are number comparisons. Encoding then costs one BigInt
 * (the pfn shifted into place) and two mask operations. Anything the fast path does not accept (a
 * combination the kernel cannot build, a pfn that is misaligned or too big) goes through
 * encodeLeaf() itself, so the value or the error is exactly encodeLeaf()'s.
 */
export function compileLeafEncoder(plugin: ArchPlugin, ctx: ArchContext, level: Level): LeafEncoder {
  const v = ctx.variant
  const field = v.pfn[level]
  /** Per flag combination: the masks, and whether the cleared bits reach into the pfn field at all. */
  const masks: ({ keep: bigint; set: bigint; overlapsPfn: boolean } | undefined)[] = new Array(16).fill(undefined)
  const slow = (pfn: number, write: boolean, dirty: boolean, special: boolean, devmap: boolean): bigint =>
    encodeLeaf(plugin, ctx, level, { pfn: BigInt(pfn), write, dirty, special, devmap })
  if (!field || (level === 'pud' && v.pudShift === undefined)) return slow
  const pfnShift = BigInt(v.pfnShift)
  const pagesPerEntry = 2 ** (levelShift(v, level) - v.pageShift)
  // (pfn << pfnShift) must lie inside bits lo..hi: below 2^(hi+1), and a multiple of 2^lo.
  const limit = 2 ** (field.hi + 1 - v.pfnShift)
  const lowAlign = 2 ** Math.max(0, field.lo - v.pfnShift)
  const pfnScale = 2 ** v.pfnShift
  const pfnField = fieldMask(field.lo, field.hi - field.lo + 1)
  return (pfn, write, dirty, special, devmap) => {
    const key = (write ? 1 : 0) | (dirty ? 2 : 0) | (special ? 4 : 0) | (devmap ? 8 : 0)
    let m = masks[key]
    if (m === undefined) {
      let flags: { clear: bigint; set: bigint }
      try {
        flags = flagMasks(plugin, ctx, level, leafFlags(plugin, ctx, level, { pfn: 0n, write, dirty, special, devmap }))
      } catch {
        return slow(pfn, write, dirty, special, devmap)
      }
      m = { keep: ~flags.clear, set: flags.set, overlapsPfn: (flags.clear & pfnField) !== 0n }
      masks[key] = m
    }
    if (!(pfn >= 0 && pfn < limit && pfn % pagesPerEntry === 0 && pfn % lowAlign === 0)) return slow(pfn, write, dirty, special, devmap)
    // pfn << pfnShift as a number while it is exact (below 2^53), so one BigInt is made instead of two.
    // The checks above keep it inside the pfn field, so `& keep` only matters where a cleared flag
    // shares bits with that field.
    const scaled = pfn * pfnScale
    const shifted = scaled <= Number.MAX_SAFE_INTEGER ? BigInt(scaled) : BigInt(pfn) << pfnShift
    return m.overlapsPfn ? (shifted & m.keep) | m.set : shifted | m.set
  }
}

/** The generic helpers, derived from the declared layout with per-arch overrides. */
export interface EntryHelpers {
  readonly present: boolean
  readonly write: boolean
  readonly dirty: boolean
  readonly special: boolean
  /** undefined when the release has no devmap helper at this level. */
  readonly devmap: boolean | undefined
  /** pmd_leaf()/pud_leaf(); always true for a present PTE. */
  readonly leaf: boolean
  /** pmd_trans_huge()/pud_trans_huge(): before 6.17 a devmap leaf is not "trans huge". */
  readonly transHuge: boolean
}

export function entryHelpers(plugin: ArchPlugin, ctx: ArchContext, level: Level, value: bigint): EntryHelpers {
  const available = new Map(fieldsAt(plugin, ctx, level).map((f) => [f.name, f] as const))
  const has = (name: string): boolean => {
    const f = available.get(name)
    if (!f) return false
    const width = f.width ?? 1
    return extractField(value, f.shift, width) === (1n << BigInt(width)) - 1n
  }
  const all = (flags: readonly string[]) => flags.length > 0 && flags.every(has)
  const leaf = recipeFor(plugin, ctx)
  const hooks = plugin.hooks ?? {}
  const present = hooks.isPresent ? hooks.isPresent(value, level, ctx, has) : has('PRESENT')
  const write = hooks.isWrite ? hooks.isWrite(value, level, ctx, has) : all(flagsOf(leaf.write, level))
  const dirty = hooks.isDirty ? hooks.isDirty(value, level, ctx, has) : all(flagsOf(leaf.dirty, level))
  const special = all(flagsOf(leaf.special, level))
  const devmapDefined = devmapFlags(plugin, ctx, level) !== undefined || available.has('DEVMAP')
  const devmap = !devmapDefined
    ? undefined
    : hooks.isDevmap
      ? hooks.isDevmap(value, level, ctx, has)
      : has('DEVMAP')
  const isLeaf =
    level === 'pte'
      ? present
      : hooks.isLeaf
        ? hooks.isLeaf(value, level, ctx, has)
        : present && all(flagsOf(leaf.huge, level))
  const transHuge =
    level === 'pte' ? false : hooks.isTransHuge ? hooks.isTransHuge(value, level, ctx, has, isLeaf) : isLeaf && devmap !== true
  return { present, write, dirty, special, devmap, leaf: isLeaf, transHuge }
}
