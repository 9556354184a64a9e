/**
 * The arch plugin contract. A plugin is declarative data (bit fields per level, variants, how Linux
 * composes a user leaf entry) plus a few hooks where the generic rule of include/linux/pgtable.h is wrong
 * for that arch. Everything here is pure TypeScript: arch/ imports nothing outside arch/.
 */
import type { KernelRange, KernelVersion } from './kernel'

export type Level = 'pte' | 'pmd' | 'pud'
export const LEVELS: readonly Level[] = ['pte', 'pmd', 'pud']

/** One named bit field of a page-table entry, as the kernel header declares it. */
export interface BitFieldDecl {
  /** Kernel macro name without its prefix: `_PAGE_DEVMAP` -> `DEVMAP`, `PTE_SPECIAL` -> `SPECIAL`. */
  readonly name: string
  /** The kernel macro itself, e.g. `_PAGE_DEVMAP`. */
  readonly macro: string
  readonly shift: number
  /** Width in bits; 1 unless a multi-bit field (arm64 ATTRINDX, loongarch PLV). */
  readonly width?: number
  readonly levels: readonly Level[]
  /** Hardware-interpreted or software-only (ignored by the MMU). */
  readonly kind: 'hw' | 'sw'
  readonly meaning: string
  /** Releases in which the kernel defines this field; open when omitted. */
  readonly kernels?: KernelRange
  /** Variants that have the field; all when omitted. */
  readonly variants?: readonly string[]
  /**
   * Names of fields this one may overlap at the same level (declared aliases, e.g. loongarch GLOBAL at
   * PTE and HUGE at PMD share bit 6 but never the same level; x86 PAT at PTE vs PSE at PMD).
   */
  readonly aliases?: readonly string[]
  /** Header (and function or macro) the definition comes from, with the version read. */
  readonly source: string
}

/** Where the page frame number sits in a leaf entry of one level. */
export interface PfnFieldDecl {
  /** Lowest and highest bit of the address field at this level (inclusive). */
  readonly lo: number
  readonly hi: number
}

export interface VariantDecl {
  readonly name: string
  readonly description: string
  readonly pageShift: number
  readonly pmdShift: number
  /** undefined where this variant never maps a PUD-level leaf (folded level or no PUD THP). */
  readonly pudShift?: number
  /** Entry value = (pfn << pfnShift) masked to the level's field; PAGE_SHIFT except riscv (10). */
  readonly pfnShift: number
  readonly pfn: Readonly<Partial<Record<Level, PfnFieldDecl>>>
  readonly source: string
}

/** Flag names, optionally per level. A plain array applies to every level. */
export type FlagSpec = readonly string[] | Readonly<Partial<Record<Level, readonly string[]>>>

/** A set of flags valid in a kernel range (devmap helpers exist only in some releases). */
export interface VersionedFlags {
  readonly kernels: KernelRange
  readonly flags: FlagSpec
  readonly source: string
}

/**
 * How Linux builds a present user leaf for a shared file mapping on this arch (PAGE_SHARED /
 * PAGE_READONLY composed with mkwrite, mkdirty, mkyoung, mkhuge, mkspecial, mkdevmap).
 */
export interface LeafRecipe {
  /** Flags of a read-only, young, present user leaf (vm_get_page_prot(VM_READ|VM_SHARED) + mkyoung). */
  readonly base: FlagSpec
  /** Flags added by pte_mkwrite / pmd_mkwrite. */
  readonly write: FlagSpec
  /** Flags removed by pte_mkwrite (arm64 clears RDONLY). */
  readonly writeClears?: FlagSpec
  /** Flags added by pte_mkdirty. */
  readonly dirty: FlagSpec
  /** Flags pte_mkdirty removes from a writable entry (arm64 clears RDONLY when pte_write). */
  readonly dirtyClears?: FlagSpec
  /** Flags added by pmd_mkhuge / pud_mkhuge (leaf marker at PMD/PUD level). */
  readonly huge: FlagSpec
  /** Flags removed by pmd_mkhuge (loongarch moves GLOBAL to HGLOBAL). */
  readonly hugeClears?: FlagSpec
  /** pte_mkspecial / pmd_mkspecial / pud_mkspecial. */
  readonly special: FlagSpec
  /** pte_mkdevmap / pmd_mkdevmap / pud_mkdevmap, by the releases that had them. */
  readonly devmap: readonly VersionedFlags[]
  /** Per-variant replacements of any of the above (powerpc hash vs radix build PMD leaves differently). */
  readonly byVariant?: Readonly<Record<string, Partial<Omit<LeafRecipe, 'byVariant'>>>>
}

/** Kconfig facts that decide what the engine may build on this arch for a given release. */
export interface ArchKconfig {
  /** ARCH_HAS_PTE_DEVMAP selected (the symbol itself is gone from 6.17). */
  readonly ptesDevmap: readonly KernelRange[]
  /** ZONE_DEVICE selectable: before 6.17 it depends on ARCH_HAS_PTE_DEVMAP (mm/Kconfig). */
  readonly zoneDevice: readonly KernelRange[]
  /** HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD: PUD-level leaves for device DAX. */
  readonly pudThp: readonly KernelRange[]
  readonly source: string
}

/** Context every query carries: bits move between releases and variants. */
export interface ArchContext {
  readonly variant: VariantDecl
  readonly kernel: KernelVersion
}

/** Per-arch overrides of the generic helpers (include/linux/pgtable.h `#ifndef` style). */
export interface ArchHooks {
  /** pmd_leaf()/pud_leaf(): generic rule is "has the level's huge flags". */
  readonly isLeaf?: (value: bigint, level: Level, ctx: ArchContext, has: (flag: string) => boolean) => boolean
  /** pte_present()/pmd_present(): generic rule is "has PRESENT". */
  readonly isPresent?: (value: bigint, level: Level, ctx: ArchContext, has: (flag: string) => boolean) => boolean
  /** pte_write(): generic rule is "has every write flag". */
  readonly isWrite?: (value: bigint, level: Level, ctx: ArchContext, has: (flag: string) => boolean) => boolean
  /** pte_devmap(): generic rule is "has DEVMAP" (ppc also needs _PAGE_PTE). */
  readonly isDevmap?: (value: bigint, level: Level, ctx: ArchContext, has: (flag: string) => boolean) => boolean
  /** pte_dirty(): generic rule is "has every dirty flag" (loongarch: DIRTY or MODIFIED). */
  readonly isDirty?: (value: bigint, level: Level, ctx: ArchContext, has: (flag: string) => boolean) => boolean
  /**
   * pmd_trans_huge()/pud_trans_huge(): generic rule is "a leaf that is not devmap" (x86 before 6.17:
   * (val & (PSE|DEVMAP)) == PSE). arm64 and riscv count devmap leaves as trans huge.
   */
  readonly isTransHuge?: (value: bigint, level: Level, ctx: ArchContext, has: (flag: string) => boolean, leaf: boolean) => boolean
}

export interface ArchPlugin {
  /** Linux's directory name under arch/; equals the plugin's folder name. */
  readonly id: string
  readonly title: string
  readonly headers: readonly string[]
  readonly defaultVariant: string
  readonly variants: readonly VariantDecl[]
  readonly fields: readonly BitFieldDecl[]
  readonly leaf: LeafRecipe
  readonly kconfig: ArchKconfig
  readonly hooks?: ArchHooks
  /** Free-text facts worth showing next to the layout (aliases, history), each with its source. */
  readonly notes?: readonly string[]
}
