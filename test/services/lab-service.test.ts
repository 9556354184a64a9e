/** The services behind the contract, on a real temporary database. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LabError } from '../../main/contract/envelope'
import { createLabService, type LabService } from '../../main/services/lab-service'
import { STEP_OPS } from '../../main/formats/scenario'

let dir: string
let service: LabService

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daxlab-svc-'))
  service = createLabService({ dbPath: join(dir, 'lab.sqlite') })
})

afterEach(() => {
  service.close()
  rmSync(dir, { recursive: true, force: true })
})

function longScenario(accesses: number): string {
  const steps = ['  - create: {file: /mnt/pmem0/a, length: 1MiB}', '  - mmap: {id: m, file: /mnt/pmem0/a, length: 1MiB}']
  for (let i = 0; i < accesses; i++) steps.push(`  - probe: {map: m, offset: ${(i % 256) * 4096}}`)
  return `name: long\ndescription: many steps\nprofile: x86-pmem-fsdax\nsteps:\n${steps.join('\n')}\n`
}

async function rejection(p: Promise<unknown>): Promise<LabError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(LabError)
  return err as LabError
}

describe('lab service', () => {
  it('runs a built-in scenario and stores it', async () => {
    const { runId } = await service.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14', session: 'ui' })
    const detail = await service.getRun({ id: runId })
    expect(detail?.summary).toMatchObject({ scenario: 'fsdax-pin-unpin', kernel: '6.14', session: 'ui' })
    expect(detail?.result.steps[4]?.probe?.refcount).toBe(1025)
    expect((await service.listRuns(undefined)).map((r) => r.id)).toEqual([runId])
  })

  it('runs a scenario given as source text, and names the bad field of a broken one', async () => {
    const { runId } = await service.runScenario({ scenario: 'inline', source: longScenario(3), kernel: '6.17' })
    expect((await service.getRun({ id: runId }))?.result.scenario).toBe('long')
    const err = await rejection(service.runScenario({ scenario: 'inline', source: 'name: x\ndescription: y\nprofile: x86-devdax\nsteps:\n  - acess: {map: m}\n', kernel: '6.17' }))
    expect(err.data).toMatchObject({ code: 'invalid_request', field: 'source' })
    expect(err.message).toBe(`source:5: steps[0].acess: unknown operation 'acess' (one of: ${STEP_OPS.join(', ')})`)
  })

  it('reports unknown scenarios and kernels as errors with their field', async () => {
    expect((await rejection(service.runScenario({ scenario: 'nope', kernel: '6.17' }))).data).toMatchObject({ code: 'not_found', field: 'scenario' })
    expect((await rejection(service.runScenario({ scenario: 'fsdax-read-fault', kernel: '5.4' }))).data).toMatchObject({
      code: 'invalid_request',
      field: 'kernel',
      message: 'kernel 5.4: only 6.1 and later are modelled',
    })
  })

  it('names the arch, the variant or the source when the caller picked one that does not exist', async () => {
    const arch = await rejection(service.runScenario({ scenario: 'fsdax-read-fault', kernel: '6.17', arch: 'vax' }))
    expect(arch.data).toMatchObject({ code: 'invalid_request', field: 'arch' })
    expect(arch.message).toContain("unknown arch 'vax'")
    const variant = await rejection(service.runScenario({ scenario: 'fsdax-read-fault', kernel: '6.17', variant: 'sv39' }))
    expect(variant.data).toMatchObject({ code: 'invalid_request', field: 'variant' })
    expect(variant.message).toContain("variant 'sv39' is not a x86 variant")
    const profile = await rejection(service.runScenario({ scenario: 'inline', source: 'name: x\ndescription: y\nprofile: nowhere\nsteps:\n  - mmap: {id: d, device: dax0, length: 2MiB}\n', kernel: '6.17' }))
    expect(profile.data).toMatchObject({ code: 'invalid_request', field: 'source' })
    expect(profile.message).toContain("profile: no built-in profile 'nowhere'")
    expect(await service.listRuns(undefined)).toEqual([])
  })

  it('reports progress while a long run is in flight and can cancel it without storing anything', async () => {
    const pending = service.runScenario({ scenario: 'inline', source: longScenario(30000), kernel: '6.17', jobId: 'job-1' })
    const progress = await service.runProgress({ jobId: 'job-1' })
    expect(progress).toMatchObject({ state: 'running', total: 30002 })
    expect(progress.done).toBeGreaterThan(0)
    expect(progress.done).toBeLessThan(progress.total)
    expect((await service.cancelRun({ jobId: 'job-1' })).state).toBe('running')
    const err = await rejection(pending)
    expect(err.data.code).toBe('cancelled')
    expect(await service.runProgress({ jobId: 'job-1' })).toMatchObject({ state: 'cancelled' })
    expect(await service.listRuns(undefined)).toEqual([])
  })

  it('stops a run that goes past the time limit for one run, storing nothing, with a message that says so', async () => {
    const limited = createLabService({ dbPath: join(dir, 'limited.sqlite'), runTimeLimitMs: 0 })
    try {
      const err = await rejection(limited.runScenario({ scenario: 'inline', source: longScenario(30000), kernel: '6.17', jobId: 'slow' }))
      expect(err.data.code).toBe('failed')
      expect(err.message).toMatch(/^stopped at step \d+ of 30002: over the 0 s limit for one run here \(DAXLAB_RUN_TIME_LIMIT_S\); nothing was stored/)
      expect(await limited.runProgress({ jobId: 'slow' })).toMatchObject({ state: 'failed' })
      expect(await limited.listRuns(undefined)).toEqual([])
    } finally {
      limited.close()
    }
  })

  it('pages through a run\'s trace events with hex pfns and entries, filtered by kind', async () => {
    const { runId } = await service.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14' })
    const refs = await service.getEvents({ id: runId, kinds: ['refcount'] })
    expect(refs.map((e) => [e.step, e.before, e.after])).toEqual([
      [3, 1, 1025],
      [5, 1025, 1],
    ])
    expect(refs[0]).toMatchObject({ pfn: '0x300000', kind: 'refcount', task: 'main' })
    const entries = await service.getEvents({ id: runId, kinds: ['entry_set'] })
    expect(entries[0]).toMatchObject({ level: 'pte', entry: '0x8200000300000225' })
    const page = await service.getEvents({ id: runId, fromSeq: 1, limit: 2 })
    expect(page.map((e) => e.seq)).toEqual([1, 2])
    expect((await rejection(service.getEvents({ id: 99 }))).data).toMatchObject({ code: 'not_found', field: 'id' })
  })

  it('a finished job reports done; an unknown one unknown', async () => {
    await service.runScenario({ scenario: 'fsdax-read-fault', kernel: '6.17', jobId: 'job-2' })
    expect(await service.runProgress({ jobId: 'job-2' })).toEqual({ jobId: 'job-2', state: 'done', done: 5, total: 5 })
    expect((await service.runProgress({ jobId: 'nobody' })).state).toBe('unknown')
  })
})
