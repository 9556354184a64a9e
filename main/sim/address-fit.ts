/**
 * Whether every page of every region has a physical address the arch's page-table entries can hold.
 * A PTE/PMD/PUD stores the pfn in a fixed address field (x86 bits 12..51 of a 4-level entry, riscv
 * bits 10..53 as pfn << 10, ...): a region placed above it could never be mapped, so the run is refused
 * at start, naming the region and the limit, rather than aborting at the first fault. Fields come from
 * the arch plugin's declared variant layout (arch/entry.ts pfnField).
 */
import { LEVELS, type Level } from '../../arch/api'
import { toHex } from '../../arch/bits'
import { pfnField } from '../../arch/entry'
import type { Profile } from '../formats/profile'
import { formatSize } from '../formats/units'
import type { ArchView } from './arch-view'
import { layoutRegions } from './memory'

/** Highest pfn whose `pfn << pfnShift` fits the level's address field (bits lo..hi). */
function maxPfn(arch: ArchView, level: Level): bigint {
  const field = pfnField(arch.ctx, level)
  return ((1n << BigInt(field.hi + 1)) - 1n) >> BigInt(arch.ctx.variant.pfnShift)
}

export function addressFitProblem(profile: Profile, arch: ArchView): string | undefined {
  const levels = LEVELS.filter((l) => arch.ctx.variant.pfn[l] !== undefined)
  const regions = layoutRegions(profile.regions, arch.pageSize, arch.pudSize)
  for (const region of regions) {
    if (region.nrPages === 0) continue
    const last = BigInt(region.basePfn + region.nrPages - 1)
    for (const level of levels) {
      const limit = maxPfn(arch, level)
      if (last <= limit) continue
      const field = pfnField(arch.ctx, level)
      const end = (last + 1n) * BigInt(arch.pageSize)
      return (
        `region '${region.name}' reaches physical address ${toHex(end - 1n)} (pfn ${toHex(last)}; regions are placed from 4 GiB up, ` +
        `each on a 1 GiB boundary), but ${arch.plugin.id} ${arch.variant} ${level.toUpperCase()}s hold pfns up to ${toHex(limit)} ` +
        `(address bits ${field.lo}..${field.hi}, ${formatSize(Number((limit + 1n) * BigInt(arch.pageSize)))} of physical address space): make the regions smaller`
      )
    }
  }
  return undefined
}
