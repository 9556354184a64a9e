/**
 * The bench workloads, as scenarios: valid kernel usage only (every FOLL_GET is released with `put`,
 * every FOLL_PIN with `unpin`), so a clean engine reports no violation and no failed step on them. The
 * bench refuses to print figures otherwise, and the golden test hashes small instances of both.
 */
import { xorshift32 } from '../store/random'
import type { Profile } from '../../main/formats/profile'
import type { Scenario, Step } from '../../main/formats/scenario'

const GiB = 2 ** 30
const MiB = 2 ** 20
const KiB = 1024

/** xorshift32: a deterministic workload without a dependency (one generator for tests and benches). */
export const rng = xorshift32

export const DEVDAX_MIX_PROFILE: Profile = { name: 'bench-devdax-64g', arch: 'x86', regions: [{ name: 'dax0', type: 'devdax', size: 64 * GiB, align: '2MiB' }] }

/**
 * Device DAX mix on 64 GiB (2 MiB align, so PMD faults and order-9 folios): per iteration a read or
 * write fault on a random PMD, then a 16-page gup-fast there, FOLL_PIN two times in three and FOLL_GET
 * otherwise. 64 GUPs stay outstanding; the oldest is released the way it was taken. Every `cycle`
 * iterations everything is released and the mapping is unmapped (zap) and mapped again.
 */
export function devdaxMix(iterations: number, cycle = 5000): Scenario {
  const steps: Step[] = []
  const random = rng(42)
  const mapLen = 64 * GiB
  const pmds = mapLen / (2 * MiB)
  const mmap: Step = { op: 'mmap', task: 'main', args: { id: 'm', offset: 0, length: mapLen, shared: true, sync: false, device: 'dax0' } }
  const release = (g: { id: string; pin: boolean }): Step => (g.pin ? { op: 'unpin', task: 'main', args: { gup: g.id } } : { op: 'put', task: 'main', args: { gup: g.id } })
  steps.push(mmap)
  let live: { id: string; pin: boolean }[] = []
  for (let i = 0; i < iterations; i++) {
    const pmd = random(pmds)
    steps.push({ op: 'access', task: 'main', args: { map: 'm', offset: pmd * 2 * MiB, write: random(2) === 1, size: 'auto' } })
    const gup = { id: `g${i}`, pin: random(3) !== 0 }
    steps.push({ op: 'gup', task: 'main', args: { id: gup.id, map: 'm', offset: pmd * 2 * MiB + random(496) * 4096, pages: 16, pin: gup.pin, longterm: false, fast: true, write: false, p2pdma: false } })
    live.push(gup)
    if (live.length > 64) steps.push(release(live.shift()!))
    if (i % cycle === cycle - 1) {
      for (const g of live) steps.push(release(g))
      live = []
      steps.push({ op: 'munmap', task: 'main', args: { map: 'm' } })
      steps.push(mmap)
    }
  }
  return { name: 'bench-devdax-mix', description: 'device DAX fault/GUP/release/unmap mix', profile: DEVDAX_MIX_PROFILE, steps }
}

/**
 * 4 KiB FS DAX faults on a 1 TiB pmem profile (the built-in x86-pmem-1tib, XFS): a 512 GiB file mapped
 * shared, PTE-sized read or write faults on random pages, where every mapped page costs an arch entry
 * encoding; every 8 faults a 4-page FOLL_GET released at once with `put`. Every `cycle` faults (20,000) the
 * mapping is unmapped (zap of every PTE) and mapped again.
 */
export function fsdax4k(profile: Profile, faults: number, cycle = 20000): Scenario {
  const steps: Step[] = []
  const random = rng(4242)
  const fileLen = 512 * GiB
  const pages = fileLen / (4 * KiB)
  const mmap: Step = { op: 'mmap', task: 'main', args: { id: 'm', file: '/mnt/pmem0/bench', offset: 0, length: fileLen, shared: true, sync: false } }
  steps.push({ op: 'create', task: 'main', args: { file: '/mnt/pmem0/bench', length: fileLen, sparse: false } }, mmap)
  for (let i = 0; i < faults; i++) {
    const page = random(pages - 4)
    steps.push({ op: 'access', task: 'main', args: { map: 'm', offset: page * 4 * KiB, write: random(4) === 0, size: 'pte' } })
    if (i % 8 === 7) {
      const id = `g${i}`
      steps.push({ op: 'gup', task: 'main', args: { id, map: 'm', offset: page * 4 * KiB, pages: 4, pin: false, longterm: false, fast: true, write: false, p2pdma: false } })
      steps.push({ op: 'put', task: 'main', args: { gup: id } })
    }
    if (i % cycle === cycle - 1) steps.push({ op: 'munmap', task: 'main', args: { map: 'm' } }, mmap)
  }
  return { name: 'bench-fsdax-4k', description: '4 KiB FS DAX faults on 1 TiB', profile, steps }
}
