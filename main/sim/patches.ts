/**
 * Behaviour as patches, releases as presets. One entry per patch that changes what the lab shows:
 * its name (the switch the engine asks about), the commit or patch title, the mainline release it
 * landed in, the kernel source it changes, and the patches it needs. A kernel release is the set of
 * patches that landed in it or earlier (presetFor); the engine asks `kernel.on(name)`, never whether
 * the version is at least some release.
 *
 * Sources: the v9 series "fs/dax: Fix ZONE_DEVICE page reference counts" (Alistair Popple, merged for
 * 6.15-rc1 through the mm tree, "[GIT PULL] MM updates for 6.15-rc1"); the devmap-removal series "mm:
 * Remove pXX_devmap page table bit and pfn_t type" ("MM updates for 6.17-rc1"); D. Hildenbrand's
 * vmf_insert_folio_pmd() fix (6.17-rc1); the xas_reset fix (6.16-rc1 window).
 */
import { compareKernel, kernel, type KernelVersion } from '../../arch/kernel'

export interface Patch {
  /** The switch name: lower-case words joined by '-'. */
  readonly name: string
  /** The patch's subject line as posted or merged. */
  readonly title: string
  /** Mainline commit id where known (abbreviated); otherwise the title identifies it. */
  readonly commit?: string
  /** The mainline release it first shipped in. */
  readonly release: string
  /** The kernel source it changes: file and function. */
  readonly source: string
  /** Patches that must be on for this one to make sense. */
  readonly dependsOn: readonly string[]
  /** Patches that cannot be on together with this one (two answers to the same question). */
  readonly conflictsWith?: readonly string[]
  /** For a patch that never landed (release NEVER_MERGED): where and when it was posted. */
  readonly posted?: string
  /** What the lab does differently with it on. */
  readonly effect: string
  /** False when the lab records the switch but no rule consults it yet (named in the effect). */
  readonly modelled: boolean
}

/** The `release` of a patch that was posted but never merged: no mainline preset has it. */
export const NEVER_MERGED = 'never merged'

export const PATCHES: readonly Patch[] = [
  {
    name: 'dio-foll-pin',
    title: 'block: Convert bio_iov_iter_get_pages to use iov_iter_extract_pages',
    commit: 'a7e689dd1c06',
    release: '6.5',
    source: 'block/bio.c bio_iov_iter_get_pages, bio_release_pages; fs/iomap/direct-io.c iomap_dio_bio_iter',
    dependsOn: [],
    effect: 'O_DIRECT pins the user buffer with FOLL_PIN (pin_user_pages_fast, BIO_PAGE_PINNED) and unpins at completion; before, FOLL_GET (get_user_pages_fast) and put_page (D. Howells, block tree for 6.5)',
    modelled: true,
  },
  {
    name: 'fuse-whole-file-break',
    title: 'fuse: fix dax truncate/punch_hole fault path',
    commit: '7851bf649d42',
    release: '6.15',
    source: 'fs/fuse/dax.c fuse_dax_break_layouts',
    dependsOn: [],
    effect: 'fuse_dax_break_layouts() passes -1 (the whole file); before, (0, 0) scanned index 0 only',
    modelled: true,
  },
  {
    name: 'busy-scan-unmapped',
    title: 'fs/dax: Return unmapped busy pages from dax_layout_busy_page_range()',
    release: '6.15',
    source: 'fs/dax.c dax_layout_busy_page_range',
    dependsOn: [],
    effect: 'the busy scan runs even when the file is not mmapped (pages may still be under DMA after munmap)',
    modelled: true,
  },
  {
    name: 'wait-locked-entries',
    title: "fs/dax: Don't skip locked entries when scanning entries",
    release: '6.15',
    source: 'fs/dax.c wait_entry_unlocked_exclusive, dax_layout_busy_page_range',
    dependsOn: [],
    effect: 'a locked DAX entry met by the busy scan is waited for instead of skipped (6.14 moved on to the next entry); modelled by the interleaving explorer (main/explore/ops/layout.ts)',
    modelled: true,
  },
  {
    name: 'common-layout-break',
    title: 'fs/dax: Create a common implementation to break DAX layouts',
    release: '6.15',
    source: 'fs/dax.c dax_break_layout, wait_page_idle',
    dependsOn: [],
    effect: 'ext4/xfs/fuse share dax_break_layout() and wait_page_idle() instead of open-coded waits',
    modelled: true,
  },
  {
    name: 'always-remove-entries',
    title: 'fs/dax: Always remove DAX page-cache entries when breaking layouts',
    release: '6.15',
    source: 'fs/dax.c dax_break_layout -> dax_delete_mapping_range',
    dependsOn: ['common-layout-break'],
    effect: 'breaking a layout deletes the DAX entries itself; before, generic truncate removed them later',
    modelled: true,
  },
  {
    name: 'final-layout-break',
    title: 'fs/dax: Ensure all pages are idle prior to filesystem unmount',
    release: '6.15',
    source: 'fs/dax.c dax_break_layout_final; ext4_evict_inode, xfs_fs_evict_inode, fuse_evict_inode',
    dependsOn: ['common-layout-break'],
    effect: 'evict/unmount waits (uninterruptibly) for every DAX page of the inode to go idle',
    modelled: true,
  },
  {
    name: 'remove-dax-shared',
    title: 'fs/dax: Remove PAGE_MAPPING_DAX_SHARED mapping flag',
    release: '6.15',
    source: 'fs/dax.c dax_folio_make_shared, dax_folio_put',
    dependsOn: [],
    effect: 'shared (reflinked) FS DAX folios are tracked with mapping == NULL and share > 0 (not modelled: every lab DAX entry has one owning file; no reflink, IOMAP_F_SHARED or share count)',
    modelled: false,
  },
  {
    name: 'compound-zone-device',
    title: 'mm: Allow compound zone device pages',
    release: '6.15',
    source: 'include/linux/mm_types.h struct folio pgmap; mm/memremap.c page_pgmap',
    dependsOn: [],
    effect: 'pgmap moves into struct folio so ZONE_DEVICE folios can be compound (needed by FS DAX PMD folios)',
    modelled: true,
  },
  {
    name: 'no-longterm-fsdax',
    title: "mm/gup: Don't allow FOLL_LONGTERM pinning of FS DAX pages",
    release: '6.15',
    source: 'mm/gup.c gup_fast_pte_range, check_vma_flags (folio_is_longterm_pinnable)',
    dependsOn: [],
    effect: 'GUP-fast refuses FOLL_LONGTERM on FS DAX folios through folio_is_longterm_pinnable() instead of the devmap test',
    modelled: true,
  },
  {
    name: 'p2pdma-refcount-init',
    title: 'mm/mm_init: Move p2pdma page refcount initialisation to p2pdma',
    release: '6.15',
    source: 'mm/mm_init.c __init_zone_device_page; drivers/pci/p2pdma.c; mm/memremap.c free_zone_device_folio',
    dependsOn: [],
    effect: 'P2PDMA pages start at refcount 0 and stay at 0 after page_free (before: 1, reset to 1 on free)',
    modelled: true,
  },
  {
    name: 'fsdax-refcount',
    title: 'fs/dax: Properly refcount fs dax pages',
    commit: '38607c62b34b',
    release: '6.15',
    source: 'fs/dax.c dax_insert_entry, dax_page_is_idle, dax_busy_page; mm/memremap.c free_zone_device_folio',
    dependsOn: ['common-layout-break', 'always-remove-entries', 'final-layout-break', 'compound-zone-device', 'no-longterm-fsdax'],
    effect: 'FS DAX pages are idle at 0; mappings take folio references and mapcounts; no devmap entries; no put_devmap_managed hook',
    modelled: true,
  },
  {
    name: 'devdax-refcount',
    title: 'device/dax: Properly refcount device dax pages when mapping',
    release: '6.15',
    source: 'drivers/dax/device.c __dev_dax_pte_fault, __dev_dax_pmd_fault (vmf_insert_page_mkwrite, vmf_insert_folio_pmd)',
    dependsOn: ['fsdax-refcount', 'compound-zone-device'],
    effect: 'device DAX mappings take folio references and mapcounts like FS DAX ones',
    modelled: true,
  },
  {
    name: 'folio-reset-order',
    title: 'fs/dax: reset the order of split FS DAX folios (folio_reset_order in dax_folio_put)',
    release: '6.15',
    source: 'fs/dax.c dax_folio_put',
    dependsOn: ['fsdax-refcount'],
    effect:
      'splitting a large FS DAX folio clears order/_nr_pages in page[1] (a 6.15-rc fix, D. Hildenbrand, April 2025, Fixes 38607c62b34b); off, the first later mapping of that page as a small folio is a corrupt_folio_state finding (stale memcg_data and order flags)',
    modelled: true,
  },
  {
    name: 'xas-reset-fix',
    title: 'fs/dax: fix "don\'t skip locked entries when scanning entries"',
    release: '6.16',
    source: 'fs/dax.c wait_entry_unlocked_exclusive (xas_reset instead of xas_pause)',
    dependsOn: ['wait-locked-entries'],
    effect: 'the waited-on entry is re-checked after the wait instead of skipped by xas_pause (generic/068 WARN at mm/truncate.c:89 on 6.15.0); mainline in the 6.16 merge window, Cc: stable (6.15.y backport); modelled by the interleaving explorer',
    modelled: true,
  },
  {
    name: 'special-huge-leaf-fix',
    title: "mm/huge_memory: don't mark refcounted folios special in vmf_insert_folio_pmd()",
    release: '6.17',
    source: 'mm/huge_memory.c vmf_insert_folio_pmd, vmf_insert_folio_pud, insert_pmd',
    dependsOn: ['fsdax-refcount'],
    effect: 'refcounted DAX PMD/PUD leaves no longer get the special bit (6.15/6.16 set it, so GUP-fast fell back and vm_normal_page_pmd() was NULL)',
    modelled: true,
  },
  {
    name: 'devmap-removal',
    title: 'mm: remove devmap related functions and page table bits',
    commit: 'd438d2734170',
    release: '6.17',
    source: 'include/linux/pgtable.h pte_devmap/pmd_devmap/pud_devmap; arch pte_mkdevmap',
    dependsOn: ['fsdax-refcount', 'devdax-refcount'],
    effect: 'the devmap PTE/PMD/PUD bits and helpers are gone (the arch encoders stop knowing them)',
    modelled: true,
  },
  // Dan Williams' 2022 proposal, "[PATCH v3 00/25] Fix the DAX-gup mistake" (linux-mm, 2022-10-14,
  // posted against the 6.1 merge window; dropped from -next, never merged). Only the kernel model
  // proposal-2022 turns them on (kernel-model.ts NAMED_MODELS); docs/kernel-model.md#proposal-2022.
  {
    name: 'pgmap-request-folios',
    title: 'fsdax: Introduce pgmap_request_folios()',
    release: NEVER_MERGED,
    posted: 'v3 10/25, 2022-10-14 (Jason Gunthorpe\'s review: 2022-10-17)',
    source: 'mm/memremap.c pgmap_request_folios, pgmap_release_folios; fs/dax.c dax_associate_entry, dax_zap_pages',
    dependsOn: [],
    conflictsWith: ['fsdax-refcount'],
    effect:
      'mapping a block (dax_associate_entry) requests its folio: folio_ref_inc, and a pgmap reference only when the count became 1; the busy scan (dax_zap_pages) releases it once per entry: put, then put_dev_pagemap only when the count reached 0',
    modelled: true,
  },
  {
    name: 'zone-device-refcount-zero',
    title: 'mm/memremap_pages: Initialize all ZONE_DEVICE pages to start at refcount 0',
    release: NEVER_MERGED,
    posted: 'v3 23/25, 2022-10-14',
    source: 'mm/page_alloc.c __init_zone_device_page (set_page_count 0); include/linux/dax.h dax_page_idle; mm/memremap.c free_zone_device_page, pgmap_release_folios',
    dependsOn: ['pgmap-request-folios'],
    effect:
      'FS DAX pages idle at refcount 0 (dax_page_idle: == 0); the last put frees the page (wake_up_var, put_dev_pagemap), so pgmap_release_folios() is a plain folio_put',
    modelled: true,
  },
]

export type PatchSet = ReadonlySet<string>

const BY_NAME = new Map(PATCHES.map((p) => [p.name, p]))

export function patch(name: string): Patch | undefined {
  return BY_NAME.get(name)
}

/** The patches a mainline release has: every one that landed in it or earlier (never a NEVER_MERGED one). */
export function presetFor(version: KernelVersion): PatchSet {
  return new Set(PATCHES.filter((p) => p.release !== NEVER_MERGED && compareKernel(version, kernel(p.release)) >= 0).map((p) => p.name))
}

export class PatchSetError extends Error {}

/** The first incoherence of a set (a patch on without one it depends on), or undefined. */
export function incoherence(set: PatchSet): string | undefined {
  for (const p of PATCHES) {
    if (!set.has(p.name)) continue
    const missing = p.dependsOn.find((d) => !set.has(d))
    if (missing) return `patch '${p.name}' depends on '${missing}', which is off`
    const conflict = p.conflictsWith?.find((c) => set.has(c))
    if (conflict) return `patch '${p.name}' cannot be on with '${conflict}' (two different refcount schemes)`
  }
  return undefined
}

/**
 * A preset edited by `+name,-name` items ("6.14 plus only the busy-scan fix": `+busy-scan-unmapped`).
 * Unknown names and incoherent results are refused with one error naming the patch and the dependency.
 */
export function editPatches(preset: PatchSet, edits: string): PatchSet {
  const set = new Set(preset)
  for (const raw of edits.split(',')) {
    const item = raw.trim()
    if (item === '') continue
    const sign = item[0]
    const name = item.slice(1)
    if ((sign !== '+' && sign !== '-') || name === '') throw new PatchSetError(`patches: '${item}' is not +name or -name`)
    if (!BY_NAME.has(name)) throw new PatchSetError(`patches: unknown patch '${name}' (daxlab patches list names them)`)
    if (sign === '+') set.add(name)
    else set.delete(name)
  }
  const problem = incoherence(set)
  if (problem) throw new PatchSetError(`patches: ${problem}`)
  return set
}
