/**
 * badblock: a media error recorded in the pmem namespace's badblocks list (drivers/nvdimm
 * badblocks_set(), what `ndctl inject-error` or an ARS scrub report does), without memory_failure():
 * no PageHWPoison, no signal, nobody is unmapped. What it changes is every later dax_direct_access()
 * on those pages: pmem's __pmem_direct_access() fails a range holding a bad sector with -EHWPOISON
 * (is_bad_pmem), so a fault SIGBUSes (a PMD fault falls back first), a DAX read(2) fails with -EIO and
 * a whole-page write(2) clears it through DAX_RECOVERY_WRITE. One bad 512-byte sector makes its page
 * bad; the lab records pages.
 */
import type { StepArgs } from '../../formats/scenario'
import { SimError, type Simulation } from '../sim'
import type { OpOutcome } from './outcome'

export function badblock(sim: Simulation, args: StepArgs<'badblock'>, notes: string[]): OpOutcome {
  const region = sim.region(args.region)
  if (region.type !== 'fsdax' && region.type !== 'devdax') throw new SimError('EINVAL', `badblock: region '${region.name}' is ${region.type}, not a pmem namespace (fsdax or devdax)`)
  if (args.length === 0) throw new SimError('EINVAL', 'badblock: length is 0')
  const page = sim.arch.pageSize
  const first = region.basePfn + Math.floor(args.offset / page)
  const last = region.basePfn + Math.ceil((args.offset + args.length) / page)
  if (!region.contains(first) || !region.contains(last - 1)) throw new SimError('EINVAL', `badblock: offset ${args.offset} + length ${args.length} runs past region '${region.name}'`)
  sim.work.require(last - first, `badblock over ${last - first} pages`)
  for (let pfn = first; pfn < last; pfn++) sim.poisoned.add(pfn)
  notes.push(`badblocks_set: ${last - first} page(s) from ${sim.describePfn(first)} bad; no memory_failure, no signal`)
  return { status: 'ok', message: `${last - first} bad page(s) recorded` }
}
