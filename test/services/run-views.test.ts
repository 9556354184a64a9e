/**
 * The paged run views behind the run view (getRunHeader, getSteps, listFolios, getFolioSeries and the
 * task/pfn event filters), on a real temporary database, checked against the full run and its events.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TraceEventDto } from '../../main/contract/api'
import { LabError } from '../../main/contract/envelope'
import { createLabService, type LabService } from '../../main/services/lab-service'
import { stepArguments } from '../../main/services/run-views'

let dir: string
let service: LabService

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daxlab-views-'))
  service = createLabService({ dbPath: join(dir, 'lab.sqlite') })
})

afterEach(() => {
  service.close()
  rmSync(dir, { recursive: true, force: true })
})

/** Every event of a run, through the unfiltered (store) path, page by page. */
async function allEvents(id: number): Promise<TraceEventDto[]> {
  const out: TraceEventDto[] = []
  for (;;) {
    const page = await service.getEvents({ id, fromSeq: out.length, limit: 5000 })
    out.push(...page)
    if (page.length < 5000) return out
  }
}

describe('run views', () => {
  it('answers the header without steps, and steps a page at a time with their arguments', async () => {
    const { runId } = await service.runScenario({ scenario: 'fsdax-truncate-hang', kernel: '6.14' })
    const full = (await service.getRun({ id: runId }))!
    const header = (await service.getRunHeader({ id: runId }))!
    expect(header.summary).toEqual(full.summary)
    expect(header).not.toHaveProperty('steps')
    expect(header.blocked).toEqual(full.result.blocked)
    expect(header.blockedTotal).toBe(full.result.blocked.length)
    expect(header.blockedTotal).toBeGreaterThan(0)

    const page = await service.getSteps({ id: runId, offset: 2, limit: 2 })
    expect(page.total).toBe(full.result.steps.length)
    expect(page.steps.map((s) => s.index)).toEqual([2, 3])
    expect(page.steps[0]).toMatchObject({ ...full.result.steps[2], args: { map: 'm', offset: 0 } })
    expect(page.steps[1]!.args).toEqual({ id: 'leak', map: 'm', offset: 0, pages: 1, pin: true })
    expect((await service.getSteps({ id: runId, offset: 100 })).steps).toEqual([])
    expect(await service.getRunHeader({ id: 999 })).toBeNull()
    await expect(service.getSteps({ id: 999 })).rejects.toBeInstanceOf(LabError)
  })

  it('reads arguments from JSON and YAML scenario text alike', () => {
    expect(stepArguments('{"steps": [{"access": {"map": "m"}}, {"exit": {}}]}')).toEqual([{ map: 'm' }, {}])
    expect(stepArguments('steps:\n  - access: {map: m}\n  - exit:\n')).toEqual([{ map: 'm' }, {}])
    expect(stepArguments('not: [valid')).toEqual([])
  })

  it('charts a folio: the series follows the refcount events of that pfn step by step', async () => {
    const { runId } = await service.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14' })
    const events = await allEvents(runId)
    const folios = await service.listFolios({ id: runId })
    expect(folios.total).toBeGreaterThan(0)
    expect(folios.suggested).toBe(folios.folios[0]!.pfn)
    const pfn = folios.suggested!
    expect(folios.folios[0]!.maxRefcount).toBe(1025)

    const series = await service.getFolioSeries({ id: runId })
    expect(series.pfn).toBe(pfn)
    expect(series.downsampled).toBe(false)
    expect(series.steps[0]).toBe(0)
    // After every step with a refcount event on this pfn, the series holds that step's last `after`.
    const lastRef = new Map<number, number>()
    for (const e of events) if (e.kind === 'refcount' && e.pfn === pfn) lastRef.set(e.step, e.after)
    expect(lastRef.size).toBeGreaterThan(1)
    for (const [step, after] of lastRef) expect(series.refcount[series.steps.indexOf(step)]).toBe(after)
    expect(Math.max(...series.refcount)).toBe(1025)
    expect(series.pgmap).toBe('pmem0')
    expect(series.pgmapRefs).not.toBeNull()
  })

  it('downsamples to at most maxPoints and keeps the peaks', async () => {
    const steps = ['  - create: {file: /mnt/pmem0/a, length: 64KiB}', '  - mmap: {id: m, file: /mnt/pmem0/a, length: 64KiB}', '  - access: {map: m, offset: 0}']
    for (let i = 0; i < 60; i++) steps.push(`  - gup: {id: g${i}, map: m, offset: 0, pin: true}`, `  - unpin: {gup: g${i}}`)
    const source = `name: pins\ndescription: pin and unpin many times\nprofile: x86-pmem-fsdax\nsteps:\n${steps.join('\n')}\n`
    const { runId } = await service.runScenario({ scenario: 'pins', source, kernel: '6.17' })
    const full = await service.getFolioSeries({ id: runId })
    expect(full.steps.length).toBeGreaterThan(100)
    const small = await service.getFolioSeries({ id: runId, pfn: full.pfn, maxPoints: 16 })
    expect(small.downsampled).toBe(true)
    expect(small.steps.length).toBeLessThanOrEqual(16)
    expect(Math.max(...small.refcount)).toBe(Math.max(...full.refcount))
    expect(Math.max(...small.pincount)).toBe(Math.max(...full.pincount))
    expect([...small.steps].sort((a, b) => a - b)).toEqual(small.steps)
  })

  it('filters events by task and pfn exactly as a filter over all events would', async () => {
    const { runId } = await service.runScenario({ scenario: 'fsdax-truncate-hang', kernel: '6.14' })
    const events = await allEvents(runId)
    const byTask = await service.getEvents({ id: runId, task: 'trunc', limit: 5000 })
    expect(byTask.length).toBeGreaterThan(0)
    expect(byTask).toEqual(events.filter((e) => e.task === 'trunc'))
    const pfn = events.find((e) => e.kind === 'refcount')!.pfn
    const byPfn = await service.getEvents({ id: runId, pfn, kinds: ['refcount'], limit: 5000 })
    expect(byPfn).toEqual(events.filter((e) => e.pfn === pfn && e.kind === 'refcount'))
    const decimal = await service.getEvents({ id: runId, pfn: String(Number.parseInt(pfn.slice(2), 16)), kinds: ['refcount'], limit: 2, fromSeq: byPfn[0]!.seq + 1 })
    expect(decimal).toEqual(byPfn.slice(1, 3))
    expect(await service.getEvents({ id: runId, task: 'nobody' })).toEqual([])
    await expect(service.getEvents({ id: 999, task: 'main' })).rejects.toMatchObject({ data: { code: 'not_found', field: 'id' } })
  })

  it('runs on the profile picked in place of the scenario\'s, and calls a machine the kernel refuses a bad request', async () => {
    const { runId } = await service.runScenario({ scenario: 'devdax-pmd-fault', kernel: '6.17', profile: 'x86-devdax' })
    expect((await service.getRunHeader({ id: runId }))!.summary.profile).toBe('x86-devdax')
    await expect(service.runScenario({ scenario: 'devdax-pmd-fault', kernel: '6.17', profile: 'nope' })).rejects.toMatchObject({ data: { code: 'not_found', field: 'profile' } })
    const source = 'name: odd\ndescription: d\nprofile: {name: odd, arch: x86, regions: [{name: dax0, type: devdax, size: 3MiB, align: 2MiB}]}\nsteps:\n  - mmap: {id: d, device: dax0, length: 2MiB}\n'
    const err = await service.runScenario({ scenario: 'odd', source, kernel: '6.17' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LabError)
    expect((err as LabError).data).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('not a multiple of its align') })
  })

  it('lists the library with topics and sources, and gives scenario texts, stored and built in', async () => {
    const list = await service.listScenarios(undefined)
    const truncate = list.find((e) => e.name === 'fsdax-truncate-hang')!
    expect(truncate.topic).toBe('fsdax')
    expect(truncate.sources).toEqual(['fs/dax.c dax_break_layout (TASK_INTERRUPTIBLE wait)'])
    expect(new Set(list.map((e) => e.topic))).toEqual(new Set(['arch-quirks', 'devdax', 'device-coherent', 'device-private', 'fsdax', 'memory-failure', 'p2pdma', 'proposal-2022', 'races', 'series']))
    const builtin = await service.getScenarioText({ name: 'fsdax-truncate-hang' })
    expect(builtin.text).toContain('name: fsdax-truncate-hang')
    await expect(service.getScenarioText({ name: 'nope' })).rejects.toMatchObject({ data: { code: 'not_found', field: 'name' } })
    const { runId } = await service.runScenario({ scenario: 'fsdax-truncate-hang', kernel: '6.17' })
    expect((await service.getRunScenario({ id: runId })).text).toBe(builtin.text)
    const cut = await service.getRunScenario({ id: runId, maxChars: 10 })
    expect(cut).toEqual({ name: 'fsdax-truncate-hang', text: builtin.text.slice(0, 10), chars: builtin.text.length, truncated: true })
  })
})
