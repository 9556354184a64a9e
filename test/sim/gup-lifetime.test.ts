/** Finished GUP records are dropped once no later step can name them (issue 7, memory). */
import { describe, expect, it } from 'vitest'
import type { Profile } from '../../main/formats/profile'
import type { Step } from '../../main/formats/scenario'
import { ArchView } from '../../main/sim/arch-view'
import { kernelModel } from '../../main/sim/kernel-model'
import { Scheduler } from '../../main/sim/scheduler'
import { Simulation } from '../../main/sim/sim'
import { GupLifetimes, gupIdOf } from '../../main/sim/gup-lifetimes'

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

  it('plans as a scan of the later steps would answer, for reused ids and ids no step names', () => {
    let seed = 11
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const ops = ['gup', 'unpin', 'put', 'complete', 'access'] as const
    for (let t = 0; t < 50; t++) {
      // Few distinct ids (reuse and hash-table collisions), some of them unicode or empty.
      const names = ['g', 'h', '', 'g0', 'é', 'x'.repeat(40), `${t}`]
      const steps: Step[] = []
      for (let i = random(200); i > 0; i--) {
        const op = ops[random(ops.length)]!
        const id = names[random(names.length)]!
        if (op === 'gup') steps.push({ op, task: 'main', args: { id, map: 'm', offset: 0, pages: 1, pin: true, longterm: false, fast: true, write: false, p2pdma: false } })
        else if (op === 'complete') steps.push({ op, task: 'main', args: { io: id } })
        else if (op === 'access') steps.push({ op, task: 'main', args: { map: 'm', offset: 0, write: false, size: 'auto' } })
        else steps.push({ op, task: 'main', args: { gup: id } })
      }
      const lifetimes = new GupLifetimes()
      lifetimes.plan(steps)
      for (let step = 0; step < steps.length; step++) {
        for (const id of [...names, 'never', `odirect@${step}`]) {
          const later = steps.slice(step + 1).some((s) => gupIdOf(s) === id)
          expect(lifetimes.namedAfter(id, step)).toBe(later)
        }
      }
    }
  })
})
