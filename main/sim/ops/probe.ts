/** probe: the state of the page/folio at a mapping offset, a file offset, or a region offset. */
import type { StepArgs } from '../../formats/scenario'
import { hex } from '../folios'
import type { Task } from '../mm'
import type { ProbeResult } from '../result'
import { SimError, type Simulation } from '../sim'
import type { OpOutcome } from './outcome'

export function probe(sim: Simulation, task: Task, args: StepArgs<'probe'>): OpOutcome {
  const page = sim.arch.pageSize
  let pfn: number | undefined
  let entry: bigint | undefined
  let level: ProbeResult['level'] = null
  let target: string
  if (args.map !== undefined) {
    const vma = sim.vma(task, args.map)
    target = `map ${args.map}+${hex(args.offset)}`
    const addr = vma.start + args.offset
    if (addr >= vma.end) throw new SimError('EFAULT', `offset ${args.offset} is past the end of mapping '${args.map}'`)
    const hit = sim.lookup(vma, addr)
    if (hit) {
      entry = hit.raw
      level = hit.level
      pfn = sim.pfnAt(hit, addr)
      if (hit.kind === 'zero' || hit.kind === 'anon') return { status: 'ok', probe: emptyProbe(args.label, target, pfn, entry, level) }
    } else if (vma.file) {
      pfn = vma.file.blockAt(vma.pgoff + Math.floor(args.offset / page))
    } else if (vma.device?.type === 'devdax') {
      pfn = vma.device.basePfn + vma.pgoff + Math.floor(args.offset / page)
    }
  } else if (args.file !== undefined) {
    target = `file ${args.file}+${hex(args.offset)}`
    pfn = sim.file(args.file).blockAt(Math.floor(args.offset / page))
  } else {
    const region = sim.region(args.region!)
    target = `region ${region.name}+${hex(args.offset)}`
    pfn = region.basePfn + Math.floor(args.offset / page)
    if (!region.contains(pfn)) throw new SimError('EINVAL', `offset ${args.offset} is beyond region '${region.name}'`)
  }
  if (pfn === undefined || !sim.folios.regionOf(pfn)) return { status: 'ok', probe: emptyProbe(args.label, target, pfn, entry, level) }
  const folio = sim.folios.folio(pfn)
  return {
    status: 'ok',
    probe: {
      ...(args.label !== undefined ? { label: args.label } : {}),
      target,
      pfn: hex(pfn),
      order: sim.folios.order[folio]!,
      refcount: sim.folios.refcount[folio]!,
      mapcount: sim.folios.mapcount[folio]!,
      pincount: sim.folios.pincount[folio]!,
      entry: entry === undefined ? null : hex64(entry),
      level,
      region: sim.folios.region(folio).name,
      mapping: sim.ownerOf(pfn)?.file.path ?? null,
      pgmap_refs: sim.folios.region(folio).pgmap?.refs ?? null,
    },
  }
}

function emptyProbe(label: string | undefined, target: string, pfn: number | undefined, entry: bigint | undefined, level: ProbeResult['level']): ProbeResult {
  return {
    ...(label !== undefined ? { label } : {}),
    target,
    pfn: pfn === undefined ? null : hex(pfn),
    order: 0,
    refcount: 0,
    mapcount: 0,
    pincount: 0,
    entry: entry === undefined ? null : hex64(entry),
    level,
    region: null,
    mapping: null,
    pgmap_refs: null,
  }
}

function hex64(v: bigint): string {
  return '0x' + v.toString(16).padStart(16, '0')
}
