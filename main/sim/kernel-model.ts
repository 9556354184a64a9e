/**
 * Which refcount rules and quirks a kernel release has. A release is a preset of patches
 * (patches.ts); every flag below is derived from patch switches, and the engine asks `on(name)` or a
 * flag, never the version. See docs/kernel-model.md.
 */
import { compareKernel, formatKernel, kernel, parseKernelVersion, type KernelVersion } from '../../arch/kernel'
import { editPatches, patch, presetFor, type PatchSet } from './patches'

export type RefcountScheme = 'legacy' | 'refcounted'

export interface KernelModel {
  readonly version: KernelVersion
  readonly label: string
  /**
   * legacy (<= 6.14): FS DAX idle at refcount 1, mappings take no reference, devmap PTEs, pgmap refs
   * during GUP. refcounted (6.15+): "fs/dax: Fix ZONE_DEVICE page reference counts" (Alistair Popple,
   * v9, merged for 6.15-rc1; fs-dax patch 38607c62b34b).
   */
  readonly scheme: RefcountScheme
  /** pte/pmd/pud_mkdevmap exist (removed by d438d2734170 "mm: remove devmap related functions and page table bits", 6.17). */
  readonly devmapHelpers: boolean
  /**
   * 6.15/6.16: vmf_insert_folio_pmd()/_pud() still went through insert_pfn_pmd() with a pfn_t without
   * PFN_DEV, so refcounted DAX PMD/PUD leaves got pmd_mkspecial(); fixed in 6.17 by "mm/huge_memory:
   * don't mark refcounted folios special in vmf_insert_folio_pmd()" (D. Hildenbrand).
   */
  readonly specialDaxHugeLeaves: boolean
  /**
   * <= 6.14: dax_layout_busy_page_range() returned NULL when !mapping_mapped(mapping), so truncate did
   * not wait for pages still under DMA after munmap. Dropped in 6.15 by "fs/dax: Return unmapped busy
   * pages from dax_layout_busy_page_range()" (series v3 02/25, merged with the v9 series).
   */
  readonly busyScanNeedsMapping: boolean
  /**
   * <= 6.14: fuse_dax_break_layouts(inode, 0, 0) scanned only index 0 ("dmap_end == 0 leads to
   * unmapping of whole file" was false). Fixed by 7851bf649d42 "fuse: fix dax truncate/punch_hole fault
   * path" (6.15). It was backported to stable 6.1+; the lab follows mainline releases, not stable trees.
   */
  readonly fuseBreaksOnlyIndexZero: boolean
  /** 6.15+: ext4/xfs/fuse evict_inode call dax_break_layout_final() and wait for idle pages. */
  readonly finalLayoutBreak: boolean
  /**
   * folio_ref_count() of an FS DAX page nobody uses: 1 in the legacy scheme (__init_zone_device_page
   * leaves the init reference), 0 in 6.15+ and in the 2022 proposal's "Initialize all ZONE_DEVICE
   * pages to start at refcount 0" (v3 23/25). dax_page_idle() compares against it.
   */
  readonly fsdaxIdleRefcount: 0 | 1
  /**
   * The 2022 proposal (Dan Williams, "[PATCH v3 10/25] fsdax: Introduce pgmap_request_folios()",
   * 2022-10-14): FS DAX folios are requested when an entry is associated and released when it is
   * zapped (proposal-2022.ts). 'posted': the 10/25 release (put_dev_pagemap only when the count reached
   * 0); 'put-at-free': with 23/25, the free path drops the pgmap reference. 'off' elsewhere.
   */
  readonly pgmapRequest: 'off' | 'posted' | 'put-at-free'
  /** Human-readable list of the quirks this release has, for run headers. */
  readonly quirks: readonly string[]
  /** The patch switches this model runs with (the release's preset, possibly edited). */
  readonly patches: PatchSet
  /** Is patch switch `name` on? */
  on(name: string): boolean
}

export const OLDEST_MODELLED = kernel('6.1')
export const KERNEL_ALIASES: Readonly<Record<string, string>> = { legacy: '6.14', refcounted: '6.17' }

/**
 * Kernels that are not mainline releases: a base release (its arch layouts and preset) plus patches
 * that never merged. proposal-2022 is Dan Williams' "[PATCH v3 00/25] Fix the DAX-gup mistake"
 * (linux-mm, 2022-10-14), posted against the 6.1 merge window (mm-unstable after v6.0), so its base
 * is 6.1. The series carried its own fixes for two bugs the 2025 series fixed again, so the model turns
 * on the lab's switches for the same behaviour: "fsdax: Include unmapped inodes for page-idle
 * detection" (v3 03/25) = busy-scan-unmapped; "ext4/xfs: Add ..._break_layouts() to the inode eviction
 * path" (v3 04-05/25) and "fsdax: Wait for pinned pages during truncate_inode_pages_final()" = the
 * final-layout-break wait (with common-layout-break, which it needs in the lab).
 */
export const NAMED_MODELS: Readonly<Record<string, { readonly base: string; readonly add: readonly string[]; readonly about: string }>> = {
  'proposal-2022': {
    base: '6.1',
    add: ['busy-scan-unmapped', 'common-layout-break', 'final-layout-break', 'pgmap-request-folios', 'zone-device-refcount-zero'],
    about: "Dan Williams' 2022 pgmap_request_folios() proposal (v3, never merged) on 6.1",
  },
}
/** Releases users pick from in the UI and sweeps; any release from 6.1 on is accepted. */
export const KNOWN_RELEASES = ['6.1', '6.6', '6.10', '6.11', '6.12', '6.14', '6.15', '6.16', '6.17', '6.18'] as const

export class KernelVersionError extends Error {}

export function resolveKernel(text: string): KernelVersion {
  // Own properties only: 'constructor' or '__proto__' is not an alias.
  const name = text.trim()
  // A named model's arch layouts and base preset are its base release's.
  if (Object.hasOwn(NAMED_MODELS, name)) return kernel(NAMED_MODELS[name]!.base)
  const aliased = Object.hasOwn(KERNEL_ALIASES, name) ? KERNEL_ALIASES[name]! : text
  const v = parseKernelVersion(aliased)
  if (!v) throw new KernelVersionError(`kernel '${text}' is not a release like 6.14, 6.15.2, an alias (legacy, refcounted) or a named model (${Object.keys(NAMED_MODELS).join(', ')})`)
  if (v.major !== 6 && v.major !== 7) throw new KernelVersionError(`kernel ${text}: only 6.1 and later are modelled`)
  if (compareKernel(v, OLDEST_MODELLED) < 0) throw new KernelVersionError(`kernel ${text}: only 6.1 and later are modelled`)
  return v
}

/**
 * The model of a release: its preset of patches, edited by `+name,-name` items when given (refused,
 * naming the dependency, when the result is incoherent: patches.ts editPatches).
 */
/** The switches a kernel runs with before any edit: a release's preset, or a named model's. */
export function kernelPreset(text: string): PatchSet {
  const name = text.trim()
  const base = presetFor(resolveKernel(name))
  return Object.hasOwn(NAMED_MODELS, name) ? new Set([...base, ...NAMED_MODELS[name]!.add]) : base
}

export function kernelModel(text: string, patchEdits?: string): KernelModel {
  const version = resolveKernel(text)
  const named = Object.hasOwn(NAMED_MODELS, text.trim())
  const patches = patchEdits ? editPatches(kernelPreset(text), patchEdits) : kernelPreset(text)
  // An unknown name is a typo in the engine: fail loudly rather than read it as "off".
  const on = (name: string) => {
    if (!patch(name)) throw new Error(`kernel.on('${name}'): no such patch in patches.ts`)
    return patches.has(name)
  }
  const refcounted = on('fsdax-refcount')
  const devmapHelpers = !on('devmap-removal')
  const specialDaxHugeLeaves = refcounted && !on('special-huge-leaf-fix')
  const busyScanNeedsMapping = !on('busy-scan-unmapped')
  const fuseBreaksOnlyIndexZero = !on('fuse-whole-file-break')
  const requested = on('pgmap-request-folios')
  const zeroBased = on('zone-device-refcount-zero')
  const quirks: string[] = []
  if (specialDaxHugeLeaves) quirks.push('special bit on refcounted DAX PMD/PUD leaves (6.15/6.16)')
  if (busyScanNeedsMapping) quirks.push('busy scan skipped when the file is not mmapped (<= 6.14)')
  if (fuseBreaksOnlyIndexZero) quirks.push('fuse/virtiofs break_layouts scans index 0 only (<= 6.14 mainline)')
  if (requested) quirks.push(`pgmap references per FS DAX folio from map to truncate (2022 proposal, ${zeroBased ? 'put at free' : 'put in pgmap_release_folios'})`)
  return {
    version,
    label: named ? text.trim() : formatKernel(version),
    scheme: refcounted ? 'refcounted' : 'legacy',
    devmapHelpers,
    specialDaxHugeLeaves,
    busyScanNeedsMapping,
    fuseBreaksOnlyIndexZero,
    finalLayoutBreak: on('final-layout-break'),
    fsdaxIdleRefcount: refcounted || zeroBased ? 0 : 1,
    pgmapRequest: !requested ? 'off' : zeroBased ? 'put-at-free' : 'posted',
    quirks,
    patches,
    on,
  }
}
