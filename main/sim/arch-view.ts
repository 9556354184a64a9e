/**
 * The engine's narrow view of an arch plugin: page sizes, whether PUD leaves exist, whether
 * ZONE_DEVICE can be configured, and the encoded value of every leaf it writes.
 */
import type { ArchContext, ArchPlugin, Level } from '../../arch/api'
import { compileLeafEncoder, context, devmapFlags, entryHelpers, fieldsAt, flagMasks, flagsOf, levelShift, recipeFor, type LeafEncoder } from '../../arch/entry'
import { fieldMask } from '../../arch/bits'
import { getArch } from '../../arch/index'
import { formatKernel, inKernelRange, type KernelVersion } from '../../arch/kernel'

export interface LeafBits {
  readonly write: boolean
  readonly dirty: boolean
  readonly special: boolean
  readonly devmap: boolean
}

/** The sixteen LeafBits values, made once (leafBits). */
const LEAF_BITS: readonly LeafBits[] = Array.from({ length: 16 }, (_, k) => Object.freeze({ write: (k & 8) !== 0, dirty: (k & 4) !== 0, special: (k & 2) !== 0, devmap: (k & 1) !== 0 }))

/**
 * The shared, frozen LeafBits with these flags: a DAX fault names its entry's bits without making an
 * object per installed leaf (one per fault on both bench workloads).
 */
export function leafBits(write: boolean, dirty: boolean, special: boolean, devmap: boolean): LeafBits {
  return LEAF_BITS[(write ? 8 : 0) | (dirty ? 4 : 0) | (special ? 2 : 0) | (devmap ? 1 : 0)]!
}

export class ArchView {
  readonly plugin: ArchPlugin
  readonly ctx: ArchContext
  readonly pageSize: number
  readonly pmdSize: number
  /** undefined when the arch/variant/kernel has no PUD-level leaves (HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD). */
  readonly pudSize: number | undefined
  /** false where the variant maps no PMD-level leaves (powerpc hash-4k has no THP). */
  readonly pmdLeaves: boolean
  /** Pages per PMD leaf (1 << PMD_ORDER) and per PUD leaf. */
  readonly pmdPages: number
  readonly pudPages: number | undefined
  /** Leaf encoders compiled for this arch, variant and kernel, one per level (arch/entry.ts). */
  private readonly encoders: Record<Level, LeafEncoder>
  private readonly special: Record<Level, boolean>
  /** The bits {pte,pmd,pud}_special() and _devmap() test, per level (0n where the helper is absent). */
  private readonly specialMask: Record<Level, bigint>
  private readonly devmapMask: Record<Level, bigint>

  constructor(archId: string, kernel: KernelVersion, variant?: string) {
    this.plugin = getArch(archId)
    this.ctx = context(this.plugin, kernel, variant)
    const v = this.ctx.variant
    this.pageSize = 2 ** v.pageShift
    this.pmdSize = 2 ** v.pmdShift
    this.pmdLeaves = v.pfn.pmd !== undefined
    const pud = v.pudShift !== undefined && v.pfn.pud !== undefined && this.plugin.kconfig.pudThp.some((r) => inKernelRange(kernel, r))
    this.pudSize = pud ? 2 ** levelShift(v, 'pud') : undefined
    this.pmdPages = this.pmdSize / this.pageSize
    this.pudPages = this.pudSize === undefined ? undefined : this.pudSize / this.pageSize
    const recipe = recipeFor(this.plugin, this.ctx)
    this.encoders = { pte: compileLeafEncoder(this.plugin, this.ctx, 'pte'), pmd: compileLeafEncoder(this.plugin, this.ctx, 'pmd'), pud: compileLeafEncoder(this.plugin, this.ctx, 'pud') }
    this.special = { pte: flagsOf(recipe.special, 'pte').length > 0, pmd: flagsOf(recipe.special, 'pmd').length > 0, pud: flagsOf(recipe.special, 'pud').length > 0 }
    const levels = ['pte', 'pmd', 'pud'] as const
    const specialMask = (level: Level) => (this.special[level] ? flagMasks(this.plugin, this.ctx, level, flagsOf(recipe.special, level)).set : 0n)
    // pte_devmap() tests the DEVMAP bit alone (pte_mkdevmap may set more, e.g. SPECIAL on x86/arm64).
    const devmapMask = (level: Level) => {
      const field = devmapFlags(this.plugin, this.ctx, level) === undefined ? undefined : fieldsAt(this.plugin, this.ctx, level).find((f) => f.name === 'DEVMAP')
      return field ? fieldMask(field.shift, field.width ?? 1) : 0n
    }
    this.specialMask = Object.fromEntries(levels.map((l) => [l, specialMask(l)])) as Record<Level, bigint>
    this.devmapMask = Object.fromEntries(levels.map((l) => [l, devmapMask(l)])) as Record<Level, bigint>
  }

  /**
   * The last entry isSpecial() tested and its answer: a GUP asks it of the same huge leaf once per
   * page, and `raw & mask` allocates a BigInt each time while comparing two does not.
   */
  private specialLevel: Level | undefined
  private specialRaw = 0n
  private specialAnswer = false

  /** {pte,pmd,pud}_special() on an encoded entry of this arch, variant and kernel. */
  isSpecial(level: Level, raw: bigint): boolean {
    if (level === this.specialLevel && raw === this.specialRaw) return this.specialAnswer
    const mask = this.specialMask[level]
    const answer = mask !== 0n && (raw & mask) === mask
    this.specialLevel = level
    this.specialRaw = raw
    this.specialAnswer = answer
    return answer
  }

  /**
   * {pte,pmd,pud}_devmap() on an encoded entry: false where the release has no devmap helper (6.17+,
   * or an arch without ARCH_HAS_PTE_DEVMAP). An arch hook that refines it (powerpc: DEVMAP only on a
   * leaf) is asked through the generic helpers.
   */
  isDevmap(level: Level, raw: bigint): boolean {
    const mask = this.devmapMask[level]
    if (mask === 0n) return false
    if (level === this.devmapLevel && raw === this.devmapRaw) return this.devmapAnswer
    const answer = (raw & mask) !== mask ? false : this.plugin.hooks?.isDevmap ? entryHelpers(this.plugin, this.ctx, level, raw).devmap === true : true
    this.devmapLevel = level
    this.devmapRaw = raw
    this.devmapAnswer = answer
    return answer
  }

  /** The last entry isDevmap() tested and its answer (as for isSpecial). */
  private devmapLevel: Level | undefined
  private devmapRaw = 0n
  private devmapAnswer = false

  get variant(): string {
    return this.ctx.variant.name
  }

  /** ZONE_DEVICE depends on ARCH_HAS_PTE_DEVMAP before 6.17 (mm/Kconfig); undefined when available. */
  zoneDeviceUnavailable(): string | undefined {
    if (this.plugin.kconfig.zoneDevice.some((r) => inKernelRange(this.ctx.kernel, r))) return undefined
    return `ZONE_DEVICE cannot be configured on ${this.plugin.id} in kernel ${formatKernel(this.ctx.kernel)}: before 6.17 it depends on ARCH_HAS_PTE_DEVMAP, which ${this.plugin.id} does not select there (${this.plugin.kconfig.source})`
  }

  /**
   * Whether {pte,pmd,pud}_mkspecial() sets a bit here: without ARCH_SUPPORTS_PMD_PFNMAP/PUD_PFNMAP the
   * generic stubs leave the entry unchanged and pmd_special() is false (include/linux/pgtable.h).
   */
  hasSpecial(level: Level): boolean {
    return this.special[level]
  }

  levelSize(level: Level): number {
    if (level === 'pte') return this.pageSize
    if (level === 'pmd') return this.pmdSize
    if (this.pudSize === undefined) throw new Error(`${this.plugin.id} has no PUD leaves`)
    return this.pudSize
  }

  encode(level: Level, pfn: number, bits: LeafBits): bigint {
    return this.encoders[level](pfn, bits.write, bits.dirty, bits.special, bits.devmap)
  }
}
