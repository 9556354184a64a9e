/** Finished GUP records are dropped once no later step can name them (issue 7, memory). */
import { describe, expect, it } from 'vitest'
import type { Profile } from '../../main/formats/profile'
import type { Step } from '../../main/formats/scenario'
import { ArchView } from '../../main/sim/arch-view'
import { kernelModel } from '../../main/sim/kernel-model'
import { Scheduler } from '../../main/sim/scheduler'
import { Simulation } from '../../main/sim/sim'

const profile: Profile = { name: 'p', arch: 'x86', regions: [{ name: 'dax0', type: 'devdax', size: 2 ** 30, align: '2MiB' }] }

function simulate(steps: Step[]) {
  const kernel = kernelModel('6.17')
  const sim = new Simulation(kernel, profile, new ArchView('x86', kernel.version))
  const scheduler = new Scheduler(sim, steps, {})
  scheduler.run()
  return { sim, results: scheduler.results }
}

const mmap: Step = { op: 'mmap', task: 'main', args: { id: 'm', offset: 0, length: 2 ** 30, shared: true, sync: false, device: 'dax0' } }
const gup = (id: string, pin: boolean): Step => ({ op: 'gup', task: 'main', args: { id, map: 'm', offset: 0, pages: 4, pin, longterm: false, fast: false, write: false, p2pdma: false } })

describe('GUP record lifetime', () => {
  it('keeps only outstanding GUPs after many released ones', () => {
    const steps: Step[] = [mmap]
    for (let i = 0; i < 1000; i++) steps.push(gup(`g${i}`, i % 2 === 0), { op: i % 2 === 0 ? 'unpin' : 'put', task: 'main', args: { gup: `g${i}` } })
    steps.push(gup('held', true))
    const { sim, results } = simulate(steps)
    expect(results.every((r) => r.status === 'ok')).toBe(true)
    expect([...sim.gups.keys()]).toEqual(['held'])
    expect(sim.gups.get('held')!.pages).toBe(4)
  })

  it('keeps a released record a later step names, so a double release is still reported', () => {
    const { sim, results } = simulate([mmap, gup('g', true), { op: 'unpin', task: 'main', args: { gup: 'g' } }, { op: 'unpin', task: 'main', args: { gup: 'g' } }])
    expect(results[3]).toMatchObject({ status: 'error', error: 'EINVAL', message: "gup 'g' was already released" })
    // After the last step naming it, it is gone as well; its page list was emptied at the first release.
    expect(sim.gups.size).toBe(0)
  })
})
