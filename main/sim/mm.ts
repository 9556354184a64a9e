/**
 * Processes: address spaces with VMAs and sparse page tables. Page tables are kept per VMA and per
 * level, keyed by the virtual index at that level, so unmapping a VMA touches only its own entries.
 * Addresses and pfns exceed 2^31: arithmetic here never uses bitwise operators.
 */
import type { Level } from '../../arch/api'
import type { DaxFile } from './daxfs'
import type { RegionState } from './memory'
import type { PteCounts } from './pte-counts'

/**
 * What a leaf points at: a DAX page (FS DAX or device DAX), the shared zero page, an anonymous page of
 * system RAM (a COW copy or anonymous memory), a present device page mapped with a reference
 * (device-coherent, p2pmem), or a non-present device-private swap entry (migrate_vma_*).
 */
export type LeafKind = 'dax' | 'zero' | 'anon' | 'device' | 'device-private'

export interface Leaf {
  readonly level: Level
  /** Index in its level's table: the virtual address divided by the level's size. */
  readonly index: number
  readonly pfn: number
  readonly kind: LeafKind
  write: boolean
  dirty: boolean
  readonly special: boolean
  readonly devmap: boolean
  /** The real encoded entry for this arch, variant and kernel. */
  raw: bigint
  /** True when the mapping holds a folio reference and mapcount (refcounted DAX pages). */
  readonly counted: boolean
}

export interface Vma {
  readonly id: string
  readonly start: number
  readonly end: number
  /** vm_pgoff: page offset into the file or device. */
  readonly pgoff: number
  readonly file?: DaxFile
  readonly device?: RegionState
  readonly shared: boolean
  readonly sync: boolean
  /** Set once a private COW page exists (the VMA has an anon_vma, so fork copies its entries). */
  anonVma: boolean
  /** VM_MIXEDMAP: fuse_dax_mmap() sets it (ext4/xfs DAX dropped it in v4.17), and fork copies such VMAs. */
  readonly mixedmap: boolean
  /** Anonymous mappings: MADV_HUGEPAGE (the `thp` hint), so do_huge_pmd_anonymous_page() may map a PMD. */
  thp?: boolean
  /**
   * Leaves by level, keyed by their table index minus `tableBase` (the index of vm_start at that level),
   * so keys stay small integers (V8 small ints) instead of doubles near 2^35.
   */
  readonly tables: Record<Level, Map<number, Leaf>>
  readonly tableBase: Readonly<Record<Level, number>>
  /** PTEs present under each PMD (a PMD pointing to a page table): kept by Simulation.setLeaf/deleteLeaf. */
  readonly ptesPerPmd: PteCounts
  /**
   * Protection by address range when it is not PROT_READ|PROT_WRITE everywhere (mmap `prot`, mprotect,
   * partial munmap): sorted, non-overlapping, covering [start, end). Undefined means read-write
   * throughout. Each range stands for the kernel VMA __split_vma() would make (vma-prot.ts).
   */
  prot?: ProtRange[]
}

export type Prot = 'read' | 'read-write' | 'none'

export interface ProtRange {
  readonly start: number
  readonly end: number
  /** `unmapped`: munmap took this part away; the rest of the mapping stays. */
  readonly prot: Prot | 'unmapped'
}

export function newTables(): Record<Level, Map<number, Leaf>> {
  return { pte: new Map(), pmd: new Map(), pud: new Map() }
}

export class Task {
  readonly vmas = new Map<string, Vma>()
  exited = false
  /** A fatal signal that arrived while the task slept uninterruptibly; it dies when the wait ends. */
  killPending: string | undefined
  /** Steps of this task that arrived while it was blocked, in scenario order. */
  readonly pending: number[] = []
  private nextVa: number

  constructor(
    readonly name: string,
    mmapBase: number,
  ) {
    this.nextVa = mmapBase
  }

  /**
   * Picks a start address like thp_get_unmapped_area()/dax_get_unmapped_area(): aligned so that the
   * address and the file offset have the same colour within the largest leaf size.
   */
  allocateVa(length: number, offset: number, align: number): number {
    const base = Math.ceil(this.nextVa / align) * align
    const start = base + (offset % align)
    this.nextVa = start + length + align
    return start
  }

  vmaAt(addr: number): Vma | undefined {
    for (const vma of this.vmas.values()) if (addr >= vma.start && addr < vma.end) return vma
    return undefined
  }
}

/** Index of addr at a level, and the base address of that leaf. */
export function levelIndex(addr: number, size: number): number {
  return Math.floor(addr / size)
}

export function alignDown(value: number, size: number): number {
  // Every caller rounds a non-negative address down to a page-table level size (a power of two), where
  // dividing and flooring is exact and skips the fmod call `value % size` is on doubles (addresses
  // are above 2^32). Same value as `value - value % size` there.
  return Math.floor(value / size) * size
}
