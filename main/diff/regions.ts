/**
 * Where a run's regions sit in physical memory, so pages pair by (region, offset) even when a changed
 * layout (another arch's page size, PUD alignment) moves their pfns. Uses the engine's own layout.
 */
import type { Profile } from '../formats/profile'
import { ArchView } from '../sim/arch-view'
import { kernelModel } from '../sim/kernel-model'
import { layoutRegions } from '../sim/memory'
import { EventKind } from '../sim/events'
import type { RegionSpan } from './types'

export function regionSpans(profile: Profile, kernel: string, arch: string, variant: string): RegionSpan[] {
  const view = new ArchView(arch, kernelModel(kernel).version, variant)
  return layoutRegions(profile.regions, view.pageSize, view.pudSize).map((r, i) => ({
    name: profile.regions[i]!.name,
    basePfn: r.basePfn,
    pages: r.nrPages,
    pageSize: view.pageSize,
  }))
}

/** `region+0xoffset` for a pfn, or `-+0xpfn` outside every region. */
export function placeOf(pfn: number, spans: readonly RegionSpan[]): { region: string; offset: string } {
  for (const s of spans) {
    if (pfn >= s.basePfn && pfn < s.basePfn + s.pages) return { region: s.name, offset: '0x' + ((pfn - s.basePfn) * s.pageSize).toString(16) }
  }
  return { region: '-', offset: '0x' + pfn.toString(16) }
}

/**
 * Where an event happened: its page, except for pgmap_refs events, whose pfn column holds the region's
 * index (main/sim/folios.ts pgmapRef), so they name the region with an empty offset.
 */
export function eventPlace(kind: number, pfn: number, spans: readonly RegionSpan[]): { region: string; offset: string } {
  if (kind === EventKind.PGMAP_REFS) return { region: spans[pfn]?.name ?? `#${pfn}`, offset: '' }
  return placeOf(pfn, spans)
}
