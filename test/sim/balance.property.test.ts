/**
 * Property: whatever the order of faults, GUPs, releases, unmaps and forks, once every reference is
 * released and every mapping is gone each folio is back at its idle counts (refcount 1 before 6.15 and 0
 * after for FS DAX, 1 for device DAX), pgmap refs are back at their base, and no invariant fired.
 */
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import type { Scenario, Step } from '../../main/formats/scenario'
import { builtinProfile } from '../../main/library/index'
import { runScenario } from '../../main/sim/run'

type Action =
  | { kind: 'access'; page: number; write: boolean }
  | { kind: 'gup'; page: number; pages: number; pin: boolean; write: boolean }
  | { kind: 'release'; which: number }
  | { kind: 'remap' }
  | { kind: 'fork' }

const action = fc.oneof(
  fc.record({ kind: fc.constant('access' as const), page: fc.nat(1023), write: fc.boolean() }),
  fc.record({ kind: fc.constant('gup' as const), page: fc.nat(1000), pages: fc.integer({ min: 1, max: 24 }), pin: fc.boolean(), write: fc.boolean() }),
  fc.record({ kind: fc.constant('release' as const), which: fc.nat(50) }),
  fc.constant({ kind: 'remap' as const }),
  fc.constant({ kind: 'fork' as const }),
)

function scenarioOf(actions: Action[], device: boolean): Scenario {
  const map = device
    ? ({ op: 'mmap', task: 'main', args: { id: 'm', device: 'dax0', offset: 0, length: 4 * 2 ** 20, shared: true, sync: false } } as Step)
    : ({ op: 'mmap', task: 'main', args: { id: 'm', file: '/mnt/pmem0/f', offset: 0, length: 4 * 2 ** 20, shared: true, sync: false } } as Step)
  const steps: Step[] = device ? [] : [{ op: 'create', task: 'main', args: { file: '/mnt/pmem0/f', length: 4 * 2 ** 20, sparse: false } } as Step]
  steps.push(map)
  const live: { id: string; pin: boolean }[] = []
  let n = 0
  let children = 0
  for (const a of actions) {
    if (a.kind === 'access') steps.push({ op: 'access', task: 'main', args: { map: 'm', offset: a.page * 4096, write: a.write, size: 'auto' } } as Step)
    else if (a.kind === 'gup') {
      const id = `g${n++}`
      live.push({ id, pin: a.pin })
      steps.push({ op: 'gup', task: 'main', args: { id, map: 'm', offset: a.page * 4096, pages: a.pages, pin: a.pin, longterm: false, fast: true, write: a.write, p2pdma: false } } as Step)
    } else if (a.kind === 'release' && live.length > 0) {
      const g = live.splice(a.which % live.length, 1)[0]!
      steps.push({ op: g.pin ? 'unpin' : 'put', task: 'main', args: { gup: g.id } } as Step)
    } else if (a.kind === 'remap') {
      steps.push({ op: 'munmap', task: 'main', args: { map: 'm' } } as Step, map)
    } else if (a.kind === 'fork') {
      const child = `c${children++}`
      steps.push({ op: 'fork', task: 'main', args: { child } } as Step, { op: 'exit', task: child, args: {} } as Step)
    }
  }
  for (const g of live) steps.push({ op: g.pin ? 'unpin' : 'put', task: 'main', args: { gup: g.id } } as Step)
  steps.push({ op: 'munmap', task: 'main', args: { map: 'm' } } as Step)
  return { name: 'balance', description: 'property', profile: device ? 'x86-devdax' : 'x86-pmem-fsdax', steps }
}

describe('references balance', () => {
  for (const [device, profile] of [[false, 'x86-pmem-fsdax'], [true, 'x86-devdax']] as const) {
    for (const kernel of ['6.14', '6.16', '6.17']) {
      test.prop([fc.array(action, { maxLength: 40 })], { numRuns: 60 })(`${profile} ${kernel}`, (actions) => {
        const scenario = scenarioOf(actions, device)
        const { result } = runScenario(scenario, builtinProfile(profile)!, { kernel })
        expect(result.violations).toEqual([])
        expect(result.steps.filter((s) => s.status !== 'ok').map((s) => `${s.index} ${s.op} ${s.error} ${s.message}`)).toEqual([])
        const idle = device || kernel === '6.14' ? 1 : 0
        for (const f of result.folios) expect(f, JSON.stringify(f)).toMatchObject({ refcount: idle, mapcount: 0, pincount: 0 })
        const region = builtinProfile(profile)!.regions.find((r) => r.type !== 'system-ram')!
        const perFolio = device ? 2 ** 21 : 4096
        expect(result.pgmaps[0]!.refs).toBe(1 + region.size / perFolio)
      })
    }
  }
})
