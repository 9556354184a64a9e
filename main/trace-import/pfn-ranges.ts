/**
 * `--fsdax-pfns 0x240000-0x2401ff,0x300000`: the pfns of the machine's FS DAX namespaces, which a
 * trace from 5.15 on cannot show by itself: the fs_dax events that named a pfn (dax_insert_mapping,
 * dax_pmd_insert_mapping) went unused with c2436190e492 "fsdax: factor out a dax_fault_actor() helper"
 * and were later removed from include/trace/events/fs_dax.h. A namespace's pfns are its physical
 * range (`ndctl list`, /proc/iomem) divided by the page size.
 */
export interface PfnRange {
  readonly first: number
  readonly last: number
}

const HEX = /^0x[0-9a-f]+$/i

export class PfnRangeError extends Error {}

export function parsePfnRanges(text: string): PfnRange[] {
  return text.split(',').map((part) => {
    const [a, b, extra] = part.trim().split('-')
    if (extra !== undefined || a === undefined || !HEX.test(a) || (b !== undefined && !HEX.test(b))) {
      throw new PfnRangeError(`'${part.trim()}' is not a hex pfn or range like 0x240000-0x2401ff`)
    }
    const first = Number.parseInt(a.slice(2), 16)
    const last = b === undefined ? first : Number.parseInt(b.slice(2), 16)
    if (!Number.isSafeInteger(last) || last < first) throw new PfnRangeError(`'${part.trim()}': the range ends before it starts or is too large`)
    return { first, last }
  })
}

export function inRanges(pfn: number, ranges: readonly PfnRange[]): boolean {
  return ranges.some((r) => pfn >= r.first && pfn <= r.last)
}
