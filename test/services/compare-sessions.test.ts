/** The compare and sessions services behind the contract, on a real temporary database. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MAX_SOURCE_CHARS, requestSchemas } from '../../main/contract/api'
import { LabError } from '../../main/contract/envelope'
import { MAX_ARCHIVE_BASE64_CHARS } from '../../main/contract/sessions'
import { createLabService, type LabService } from '../../main/services/lab-service'
import { archiveFileName } from '../../main/services/sessions'
import { compareRuns } from '../../main/sim/compare'
import { probeScenario } from '../fakes/scenarios'

let dir: string
let service: LabService

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daxlab-cmp-'))
  service = createLabService({ dbPath: join(dir, 'lab.sqlite') })
})

afterEach(() => {
  service.close()
  rmSync(dir, { recursive: true, force: true })
})

async function rejection(p: Promise<unknown>): Promise<LabError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(LabError)
  return err as LabError
}


describe('compareRuns', () => {
  it('pages the same per-step comparison as daxlab compare and names the same first divergence', async () => {
    const a = (await service.runScenario({ scenario: 'fsdax-truncate-after-munmap', kernel: '6.14' })).runId
    const b = (await service.runScenario({ scenario: 'fsdax-truncate-after-munmap', kernel: '6.17' })).runId
    const whole = compareRuns([(await service.getRun({ id: a }))!.result, (await service.getRun({ id: b }))!.result], [a, b])
    const page = await service.compareRuns({ ids: [a, b], offset: 0, limit: 1000 })
    expect(page.total).toBe(whole.steps.length)
    expect(page.steps).toEqual(whole.steps)
    expect(page.comparison.firstDivergence).toEqual(whole.firstDivergence)
    expect(page.comparison.firstDivergence).not.toBeNull()
    expect(page.divergent).toBe(whole.steps.filter((s) => s.differs.length > 0).length)
    expect(page.runs.map((r) => r.kernel)).toEqual(['6.14', '6.17'])
    expect(page.scenariosDiffer).toBe(false)
    const { steps, ...meta } = whole
    expect(steps).toEqual(page.steps)
    expect(page.comparison).toEqual(meta)
  })

  it('numbers a later page by step and finds the divergences around a step', async () => {
    const a = (await service.runScenario({ scenario: 'long', source: probeScenario(600), kernel: '6.14' })).runId
    const b = (await service.runScenario({ scenario: 'long', source: probeScenario(600), kernel: '6.17' })).runId
    const whole = compareRuns([(await service.getRun({ id: a }))!.result, (await service.getRun({ id: b }))!.result])
    const page = await service.compareRuns({ ids: [a, b], offset: 300, limit: 5, from: 300 })
    expect(page.steps.map((s) => s.index)).toEqual([300, 301, 302, 303, 304])
    expect(page.steps).toEqual(whole.steps.slice(300, 305))
    const differing = whole.steps.filter((s) => s.differs.length > 0).map((s) => s.index)
    expect(differing.length).toBeGreaterThan(1)
    expect(page.next).toBe(differing.find((s) => s >= 300) ?? null)
    expect(page.previous).toBe(differing.filter((s) => s < 300).at(-1) ?? null)
    const past = await service.compareRuns({ ids: [a, b], offset: 10_000, limit: 10, from: 10_000 })
    expect(past.steps).toEqual([])
    expect(past.next).toBeNull()
    expect(past.previous).toBe(differing.at(-1))
  })

  it('refuses a missing run, a run twice and a single run, naming ids', async () => {
    const a = (await service.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14' })).runId
    expect((await rejection(service.compareRuns({ ids: [a, 999] }))).data).toMatchObject({ code: 'not_found', field: 'ids' })
    expect((await rejection(service.compareRuns({ ids: [a, a] }))).data).toMatchObject({ code: 'invalid_request', field: 'ids' })
    expect(requestSchemas.compareRuns.safeParse({ ids: [a] }).success).toBe(false)
  })
})

describe('sessions', () => {
  it('sweeps a matrix, lists it with its counts, exports, imports under another name and diffs identical', async () => {
    const outcome = await service.runSweep({ scenarios: ['fsdax-pin-unpin', 'devdax-pmd-fault'], kernels: ['6.14', '6.17'], arches: ['x86', 'arm64'], session: 'base', jobs: 1, jobId: 'sw1' })
    expect(outcome.cancelled).toBe(false)
    expect(outcome.done + outcome.skipped).toBe(8)
    expect(outcome.info.state).toBe('complete')
    expect(await service.runProgress({ jobId: 'sw1' })).toMatchObject({ state: 'done', done: outcome.done, total: outcome.done })
    const list = await service.listSessions(undefined)
    expect(list.map((s) => [s.name, s.state, s.runs])).toEqual([['base', 'complete', outcome.done]])
    const detail = await service.getSession({ name: 'base' })
    expect(detail.combinationsTotal).toBe(8)
    expect(detail.runIds).toHaveLength(outcome.done)
    expect(detail.combinations.filter((c) => c.status === 'done').every((c) => c.runId !== null)).toBe(true)

    const archive = await service.exportSession({ name: 'base' })
    expect(archive.fileName).toBe('base.daxlab')
    expect(Buffer.from(archive.data, 'base64').subarray(0, 15).toString()).toBe('SQLite format 3')
    expect(archive.bytes).toBe(Buffer.from(archive.data, 'base64').length)
    const imported = await service.importSession({ data: archive.data, as: 'copy', fileName: 'base.daxlab' })
    expect(imported).toMatchObject({ status: 'imported', session: 'copy', runs: outcome.done })
    expect(imported.message).toBe(`imported session 'copy' (${outcome.done} runs)`)
    expect((await service.importSession({ data: archive.data, as: 'again' })).status).toBe('duplicate')

    const same = await service.diffSessions({ a: 'base', b: 'copy' })
    expect(same.identical).toBe(true)
    expect(same.summary_line).toBe(`${outcome.done} runs identical, 0 changed`)
  })

  it('diffs a session against one under other kernels, each changed run with both run ids', async () => {
    await service.runSweep({ scenarios: ['fsdax-truncate-after-munmap'], kernels: ['6.14'], arches: ['x86'], session: 'old', jobs: 1 })
    await service.runSweep({ scenarios: ['fsdax-truncate-after-munmap'], kernels: ['6.17'], arches: ['x86'], session: 'new', jobs: 1 })
    const diff = await service.diffSessions({ a: 'old', b: 'new' })
    expect(diff.identical).toBe(false)
    expect(diff.changed).toHaveLength(1)
    const [changed] = diff.changed
    expect(changed!.paired_by).toBe('kernel')
    const old = (await service.getSession({ name: 'old' })).runIds[0]
    const neu = (await service.getSession({ name: 'new' })).runIds[0]
    expect([changed!.a_id, changed!.b_id]).toEqual([old, neu])
    expect(changed!.steps_total).toBeGreaterThanOrEqual(changed!.steps.length)
    expect(changed!.headline).toMatch(/^step \d+/)
  })

  it('cancels a sweep: the runs done stay, the session reads incomplete', async () => {
    const scenarios = (await service.listScenarios(undefined)).map((s) => s.name)
    const sweep = service.runSweep({ scenarios, kernels: ['6.14', '6.15', '6.17'], arches: ['all'], session: 'big', jobs: 1, jobId: 'sw2' })
    await new Promise((r) => setTimeout(r, 30))
    expect((await service.cancelRun({ jobId: 'sw2' })).state).toBe('running')
    const outcome = await sweep
    expect(outcome.cancelled).toBe(true)
    expect(outcome.info.state).toBe('incomplete')
    expect(outcome.info.items.pending).toBeGreaterThan(0)
    expect((await service.runProgress({ jobId: 'sw2' })).state).toBe('cancelled')
  })

  it('refuses bad sweeps and archives with one error naming the field', async () => {
    expect((await rejection(service.runSweep({ scenarios: ['nope'], kernels: ['6.14'], arches: ['x86'] }))).data).toMatchObject({ code: 'not_found', field: 'scenarios' })
    expect((await rejection(service.runSweep({ scenarios: ['fsdax-pin-unpin'], kernels: ['5.2'], arches: ['x86'] }))).data).toMatchObject({ code: 'invalid_request', field: 'kernels' })
    expect((await rejection(service.runSweep({ scenarios: ['fsdax-pin-unpin'], kernels: ['6.14'], arches: ['vax'] }))).data).toMatchObject({ code: 'invalid_request', field: 'arches' })
    await service.runSweep({ scenarios: ['fsdax-pin-unpin'], kernels: ['6.14'], arches: ['x86'], session: 's', jobs: 1 })
    expect((await rejection(service.runSweep({ scenarios: ['fsdax-pin-unpin'], kernels: ['6.14'], arches: ['x86'], session: 's' }))).data).toMatchObject({ field: 'session' })
    const junk = await rejection(service.importSession({ data: Buffer.from('not an archive at all').toString('base64'), fileName: 'junk.daxlab' }))
    expect(junk.data).toMatchObject({ code: 'invalid_request', field: 'data' })
    expect(junk.data.message).toMatch(/^junk\.daxlab: /)
    expect(junk.data.message).not.toContain(tmpdir())
    const again = await service.importSession({ data: (await service.exportSession({ name: 's' })).data })
    expect(again).toMatchObject({ status: 'nothing-new', session: 's' })
    expect((await rejection(service.getSession({ name: 'missing' }))).data).toMatchObject({ code: 'not_found', field: 'name' })
    expect((await rejection(service.diffSessions({ a: 's', b: 'missing' }))).data).toMatchObject({ code: 'not_found', field: 'b' })
    expect(requestSchemas.importSession.safeParse({ data: 'a*b' }).success).toBe(false)
  })

  it('keeps the archive limit within the body limit, and file names plain', () => {
    expect(MAX_ARCHIVE_BASE64_CHARS).toBe(2 * MAX_SOURCE_CHARS)
    expect(archiveFileName('nightly 6.17/x86')).toBe('nightly_6.17_x86.daxlab')
    expect(archiveFileName('..')).toBe('_.daxlab')
  })
})
