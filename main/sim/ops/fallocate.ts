/**
 * fallocate(2) modes on DAX files, each breaking the layout the way its filesystem does before it
 * changes the block map:
 * - xfs: fs/xfs/xfs_file.c xfs_file_fallocate() calls xfs_break_layouts(BREAK_UNMAP) for every mode
 *   (before 6.15 xfs_break_dax_layouts' wait loop, from 6.15 dax_break_layout_inode()).
 * - ext4: ext4_punch_hole(), ext4_zero_range(), ext4_collapse_range() and ext4_insert_range() call
 *   ext4_break_layouts(); plain allocation (ext4_do_fallocate) does not.
 * - virtiofs: fuse_file_fallocate() breaks layouts (fuse_dax_break_layouts) for punch_hole and for an
 *   allocation that may change the size; it has no collapse/insert (-EOPNOTSUPP).
 * Modes: allocate (mode 0: holes get blocks, the size grows to offset+length), punch_hole (the
 * existing punch_hole step), zero_range (ext4 keeps the blocks and converts them to unwritten; xfs
 * xfs_falloc_zero_range() frees them with xfs_free_file_space() and allocates new ones), collapse_range
 * and insert_range (block-aligned; everything from offset to EOF is unmapped, the extents after the
 * range shift by length, the size shrinks or grows by length).
 */
import type { StepArgs } from '../../formats/scenario'
import { cause } from '../causes'
import type { DaxFile } from '../daxfs'
import { ModelError } from '../errors'
import { SimError, type Simulation } from '../sim'
import { ALL, allocateHoles, breakLayout, deleteEntries, punchHole, releaseBlocks } from './layout'
import { OK, type OpOutcome } from './outcome'

const C = {
  allocZero: cause('fallocate: blocks allocated under a zero-page entry (unmapped)'),
  zeroRange: cause('ext4_zero_range/xfs_falloc_zero_range: truncate_pagecache_range'),
  shiftUnmap: cause('collapse/insert range: truncate_pagecache from offset to EOF'),
}

export function fallocate(sim: Simulation, args: StepArgs<'fallocate'>, notes: string[]): OpOutcome {
  const file = sim.file(args.file)
  // vfs_fallocate(): `if (offset < 0 || len <= 0) return -EINVAL`.
  if (args.length === 0) throw new SimError('EINVAL', 'fallocate: length is 0')
  const fsType = file.fs.fsType
  if (args.mode === 'punch_hole') return punchHole(sim, { file: args.file, offset: args.offset, length: args.length }, notes)
  if (fsType === 'virtiofs') {
    if (args.mode === 'collapse_range' || args.mode === 'insert_range') throw new SimError('EOPNOTSUPP', `fuse_file_fallocate: ${args.mode} is not supported`)
    if (args.mode === 'zero_range') throw new ModelError('fallocate zero_range on virtiofs is not modelled')
  }
  const breaks = args.mode !== 'allocate' || fsType !== 'ext4'
  const run = (): OpOutcome => {
    if (breaks && sim.kernel.on('always-remove-entries')) deleteEntries(sim, file, 0, ALL, 'dax_break_layout')
    switch (args.mode) {
      case 'allocate':
        return allocate(sim, file, args.offset, args.length)
      case 'zero_range':
        return zeroRange(sim, file, args.offset, args.length)
      case 'collapse_range':
        return collapse(sim, file, args.offset, args.length)
      case 'insert_range':
        return insert(sim, file, args.offset, args.length)
      default:
        throw new Error('punch_hole is handled above')
    }
  }
  if (args.mode === 'collapse_range' || args.mode === 'insert_range') checkShift(sim, file, args.mode, args.offset, args.length)
  return breaks ? breakLayout(sim, file, false, notes, run) : run()
}

/** ext4_collapse_range/ext4_insert_range and xfs_file_fallocate: block-aligned ranges inside the file. */
function checkShift(sim: Simulation, file: DaxFile, mode: 'collapse_range' | 'insert_range', offset: number, length: number): void {
  const page = sim.arch.pageSize
  if (offset % page !== 0 || length % page !== 0) throw new SimError('EINVAL', `fallocate ${mode}: offset and length must be multiples of the block size ${page}`)
  if (mode === 'collapse_range' && offset + length >= file.size) throw new SimError('EINVAL', `fallocate collapse_range: offset + length (${offset + length}) reaches EOF (${file.size})`)
  if (mode === 'insert_range' && offset >= file.size) throw new SimError('EINVAL', `fallocate insert_range: offset ${offset} is at or beyond EOF (${file.size})`)
  if (mode === 'insert_range' && file.size + length > Number.MAX_SAFE_INTEGER) throw new SimError('EFBIG', 'fallocate insert_range: the file would exceed the largest size the lab models')
}

/** Holes in [offset, offset + length) get blocks; the size grows (no FALLOC_FL_KEEP_SIZE). */
function allocate(sim: Simulation, file: DaxFile, offset: number, length: number): OpOutcome {
  const page = sim.arch.pageSize
  // The lab keeps a zero-page entry only over a hole: over the newly allocated (unwritten, reads as
  // zeros) blocks it is unmapped, and the next fault maps the block instead.
  allocateHoles(sim, file, Math.floor(offset / page), Math.ceil((offset + length) / page), 'fallocate', C.allocZero)
  file.size = Math.max(file.size, offset + length)
  return OK
}

function zeroRange(sim: Simulation, file: DaxFile, offset: number, length: number): OpOutcome {
  const page = sim.arch.pageSize
  // Whole pages change their blocks; partial pages at the edges are zeroed in place.
  const from = Math.ceil(offset / page)
  const to = Math.min(Math.floor((offset + length) / page), Math.ceil(Math.max(file.size, offset + length) / page))
  if (to > from) {
    sim.unmapMappingPages(file, from, to, C.zeroRange)
    if (!sim.kernel.on('always-remove-entries')) deleteEntries(sim, file, from, to, 'truncate_pagecache_range')
    // xfs_falloc_zero_range(): xfs_free_file_space() then xfs_alloc_file_space(); ext4 converts in place.
    if (file.fs.fsType === 'xfs') releaseBlocks(sim, file, from, to, 'xfs_free_file_space')
  }
  return allocate(sim, file, offset, length)
}

function collapse(sim: Simulation, file: DaxFile, offset: number, length: number): OpOutcome {
  const page = sim.arch.pageSize
  const from = offset / page
  const pages = length / page
  sim.unmapMappingPages(file, from, ALL, C.shiftUnmap)
  if (!sim.kernel.on('always-remove-entries')) deleteEntries(sim, file, from, ALL, 'truncate_pagecache')
  releaseBlocks(sim, file, from, from + pages, 'collapse_range')
  shiftExtents(file, from + pages, -pages)
  file.size -= length
  return OK
}

function insert(sim: Simulation, file: DaxFile, offset: number, length: number): OpOutcome {
  const page = sim.arch.pageSize
  const from = offset / page
  sim.unmapMappingPages(file, from, ALL, C.shiftUnmap)
  if (!sim.kernel.on('always-remove-entries')) deleteEntries(sim, file, from, ALL, 'truncate_pagecache')
  splitExtentAt(file, from)
  shiftExtents(file, from, length / page)
  file.size += length
  return OK
}

/** ext4_ext_shift_extents()/xfs_bmap_collapse_extents()/xfs_bmap_insert_extents(): extents from `from` move by delta pages. */
function shiftExtents(file: DaxFile, from: number, delta: number): void {
  file.extents = file.extents.map((e) => (e.index >= from ? { ...e, index: e.index + delta } : e)).sort((a, b) => a.index - b.index)
}

/** xfs_bmap_split_extent()/ext4_split_extent_at(): an extent crossing `at` becomes two. */
function splitExtentAt(file: DaxFile, at: number): void {
  file.extents = file.extents.flatMap((e) =>
    e.index < at && at < e.index + e.count
      ? [
          { index: e.index, pfn: e.pfn, count: at - e.index },
          { index: at, pfn: e.pfn + (at - e.index), count: e.index + e.count - at },
        ]
      : [e],
  )
}
