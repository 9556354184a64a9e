/**
 * The explore job behind the Explore view (main/services/explore.ts) on the real services: the answer is
 * the explorer's own result (what `daxlab explore --json` prints), progress while it runs, cancel keeps
 * what was found, bounds mark it not complete, bad payloads name their field, and a counterexample's
 * choices replay into a stored run through runScenario's `schedule`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LabMethod, LabResponses } from '../../main/contract/api'
import { callLab, type LabResult } from '../../main/contract/envelope'
import { explore } from '../../main/explore/search'
import { builtinScenario, resolveProfile, builtinScenarioText } from '../../main/library/index'
import { createLabService, type LabService } from '../../main/services/lab-service'

let dir: string
let service: LabService

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daxlab-explore-svc-'))
  service = createLabService({ dbPath: join(dir, 'lab.sqlite') })
})

afterEach(() => {
  service.close()
  rmSync(dir, { recursive: true, force: true })
})

const call = <M extends LabMethod>(method: M, payload: unknown): Promise<LabResult<LabResponses[M]>> => callLab(service, method, payload)

async function refused(method: LabMethod, payload: unknown): Promise<{ code: string; field?: string; message: string }> {
  const out = await call(method, payload)
  expect(out.ok).toBe(false)
  if (out.ok) throw new Error('accepted')
  return out.error
}

const BIG_RACE = readFileSync(join(import.meta.dirname, '../explore/big-race.yaml'), 'utf8')

describe('explore service', () => {
  it('answers the explorer result itself: the locked-entry skip on 6.15, with its shortest schedule', async () => {
    const out = await call('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15' })
    if (!out.ok) throw new Error(out.error.message)
    const r = out.value
    const scenario = builtinScenario('race-locked-entry-skip')!
    const direct = explore(scenario, resolveProfile(scenario, builtinScenarioText('race-locked-entry-skip')!.file), { kernel: '6.15', maxSchedules: 20_000 })
    expect({ ...r, elapsed_ms: 0 }).toEqual({ ...direct, elapsed_ms: 0 })
    expect(r).toMatchObject({ format: 'daxlab-explore/1', complete: true, kernel: '6.15', tasks: ['mce', 'trunc', 'dma'] })
    expect(r.counterexamples.map((c) => c.kind)).toContain('dma_after_release')
    const ce = r.counterexamples.find((c) => c.kind === 'dma_after_release')!
    expect(ce.choices).toHaveLength(ce.length)
    expect(ce.schedule.some((s) => s.racing)).toBe(true)
  })

  it('finds nothing on 6.16, where xas_reset() fixed the skip, and says the search was complete', async () => {
    const out = await call('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.16' })
    if (!out.ok) throw new Error(out.error.message)
    expect(out.value.complete).toBe(true)
    expect(out.value.counterexamples).toEqual([])
  })

  it('honours --patches: +xas-reset-fix on 6.15 is the fixed stable kernel', async () => {
    const out = await call('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', patches: '+xas-reset-fix' })
    if (!out.ok) throw new Error(out.error.message)
    expect(out.value.counterexamples).toEqual([])
  })

  it('marks a search cut by maxSchedules or a preemption bound as not complete, saying what cut it', async () => {
    const cut = await call('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', maxSchedules: 3 })
    if (!cut.ok) throw new Error(cut.error.message)
    expect(cut.value.complete).toBe(false)
    expect(cut.value.cut).toMatch(/--max-schedules 3/)
    const bounded = await call('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', preemptionBound: 0 })
    if (!bounded.ok) throw new Error(bounded.error.message)
    expect(bounded.value.complete).toBe(false)
    expect(bounded.value.cut).toMatch(/--preemption-bound 0/)
  })

  it('reports progress while it runs and keeps what was found when cancelled', async () => {
    const search = service.exploreScenario({ scenario: 'inline', source: BIG_RACE, kernel: '6.17', jobId: 'big' })
    let seen = 0
    for (let i = 0; i < 200 && seen < 20; i++) {
      await new Promise((r) => setTimeout(r, 25))
      seen = (await service.exploreProgress({ jobId: 'big' })).schedules_executed
    }
    const during = await service.exploreProgress({ jobId: 'big' })
    expect(during).toMatchObject({ jobId: 'big', state: 'running', max_schedules: 20_000 })
    expect(during.schedules_executed).toBeGreaterThan(1)
    expect(during.rate).toBeGreaterThan(0)
    // The generic job poll sees it too.
    expect((await service.runProgress({ jobId: 'big' })).state).toBe('running')
    await service.cancelRun({ jobId: 'big' })
    const r = await search
    expect(r.complete).toBe(false)
    expect(r.cut).toMatch(/^cancelled/)
    expect(r.states).toBeGreaterThan(1)
    expect(r.schedules_executed).toBeGreaterThanOrEqual(during.schedules_executed)
    expect((await service.exploreProgress({ jobId: 'big' })).state).toBe('cancelled')
    expect((await service.exploreProgress({ jobId: 'nobody' })).state).toBe('unknown')
  })

  it('keeps its progress on the job: exploreProgress and runProgress agree, and a reused job id is no exploration', async () => {
    const r = await service.exploreScenario({ scenario: 'race-locked-entry-skip', kernel: '6.15', maxSchedules: 50, jobId: 'small' })
    const view = await service.exploreProgress({ jobId: 'small' })
    const job = await service.runProgress({ jobId: 'small' })
    expect(view).toMatchObject({ jobId: 'small', state: 'done', max_schedules: 50, schedules_executed: r.schedules_executed })
    expect(job).toEqual({ jobId: 'small', state: 'done', done: r.schedules_executed, total: 50 })
    expect(view.states).toBeGreaterThan(1)
    expect(view.states).toBeLessThanOrEqual(r.states)
    // The job table keeps one entry per id: a run started under the same id replaces the exploration.
    await service.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.15', jobId: 'small' })
    expect((await service.runProgress({ jobId: 'small' })).state).toBe('done')
    expect(await service.exploreProgress({ jobId: 'small' })).toMatchObject({ state: 'unknown', schedules_executed: 0, max_schedules: 0 })
  })

  it('stops at the per-job time limit with what was found, marked not complete', async () => {
    const limited = createLabService({ dbPath: join(dir, 'limited.sqlite'), runTimeLimitMs: 50 })
    try {
      const r = await limited.exploreScenario({ scenario: 'inline', source: BIG_RACE, kernel: '6.17' })
      expect(r.complete).toBe(false)
      expect(r.cut).toMatch(/^stopped after the 0\.05 s limit for one job here/)
      expect(r.states).toBeGreaterThan(1)
    } finally {
      limited.close()
    }
  })

  it('refuses bad payloads with one error naming the field', async () => {
    expect(await refused('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', maxSchedules: 0 })).toMatchObject({ code: 'invalid_request', field: 'maxSchedules' })
    expect(await refused('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', maxSchedules: 5_000_000 })).toMatchObject({ field: 'maxSchedules', message: expect.stringMatching(/at most 1000000/) })
    expect(await refused('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', preemptionBound: -1 })).toMatchObject({ field: 'preemptionBound' })
    expect(await refused('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', maxSchedules: 1.5 })).toMatchObject({ field: 'maxSchedules' })
    expect(await refused('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '5.4' })).toMatchObject({ code: 'invalid_request', field: 'kernel' })
    expect(await refused('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', arch: 'vax' })).toMatchObject({ field: 'arch' })
    expect(await refused('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', patches: '+no-such-patch' })).toMatchObject({ field: 'patches', message: expect.stringMatching(/unknown patch 'no-such-patch'/) })
    expect(await refused('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', patches: 'rm -rf' })).toMatchObject({ field: 'patches' })
    expect(await refused('exploreScenario', { scenario: 'fsdax-pin-unpin', kernel: '6.15' })).toMatchObject({ code: 'invalid_request', field: 'scenario', message: expect.stringMatching(/no concurrent: block/) })
    expect(await refused('exploreScenario', { scenario: 'nope', kernel: '6.15' })).toMatchObject({ code: 'not_found', field: 'scenario' })
    expect(await refused('exploreScenario', { scenario: 'x', source: 'name: [', kernel: '6.15' })).toMatchObject({ field: 'source' })
    expect(await refused('exploreScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', bound: 3 })).toMatchObject({ field: 'bound' })
    expect(await refused('exploreProgress', {})).toMatchObject({ field: 'jobId' })
  })
})

describe('a counterexample as a stored run (runScenario schedule)', () => {
  it('replays the shortest schedule into an ordinary run that shows the violation; the default schedule does not', async () => {
    const r = await service.exploreScenario({ scenario: 'race-locked-entry-skip', kernel: '6.15' })
    const ce = r.counterexamples.find((c) => c.kind === 'dma_after_release')!
    const { runId } = await service.runScenario({ scenario: 'race-locked-entry-skip', kernel: '6.15', schedule: ce.choices })
    const replayed = await service.getRun({ id: runId })
    expect(replayed?.result.violations.map((v) => v.kind)).toContain('dma_after_release')
    const sequential = await service.getRun({ id: (await service.runScenario({ scenario: 'race-locked-entry-skip', kernel: '6.15' })).runId })
    // The same run as `daxlab run` without --schedule: round-robin, which the explorer counts among its outcomes.
    expect(sequential?.result.steps).toHaveLength(replayed!.result.steps.length)
    expect(sequential?.result.violations).toEqual([])
    const compared = await service.compareRuns({ ids: [replayed!.summary.id, sequential!.summary.id] })
    expect(compared.runs.map((x) => x.id)).toEqual([replayed!.summary.id, sequential!.summary.id])
  })

  it('replays with the patch edits given, and records them', async () => {
    const { runId } = await service.runScenario({ scenario: 'race-locked-entry-skip', kernel: '6.15', patches: '+xas-reset-fix', schedule: [] })
    const run = await service.getRun({ id: runId })
    expect(run?.result.patches?.edits).toBe('+xas-reset-fix')
    expect(run?.result.violations.map((v) => v.kind)).not.toContain('dma_after_release')
  })

  it('refuses a schedule that does not fit, naming the choice', async () => {
    expect(await refused('runScenario', { scenario: 'fsdax-pin-unpin', kernel: '6.15', schedule: ['dma'] })).toMatchObject({ code: 'invalid_request', field: 'schedule' })
    expect(await refused('runScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', schedule: ['mce', 'ghost'] })).toMatchObject({ field: 'schedule[1]', message: expect.stringMatching(/'ghost' is not a concurrent task/) })
    // dma's one atomic step (the unpin) is taken by the first choice: it has nothing left for the second.
    const err = await refused('runScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', schedule: ['dma', 'dma'] })
    expect(err).toMatchObject({ code: 'invalid_request', field: 'schedule[1]' })
    expect(err.message).toMatch(/^schedule\[1\]: task 'dma' cannot run at this point/)
    expect(await refused('runScenario', { scenario: 'race-locked-entry-skip', kernel: '6.15', patches: '+nope' })).toMatchObject({ field: 'patches' })
    expect((await service.listRuns(undefined)).length).toBe(0)
  })
})
