/** The Explore view's store over the real services: search, progress, cancel, a counterexample's replay, compare, errors. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { useExploreStore } from '../../renderer/stores/explore'
import { useRealService } from './real-service'

const current = useRealService()
const BIG_RACE = readFileSync(join(import.meta.dirname, '../explore/big-race.yaml'), 'utf8')

it('explores, shows the first counterexample replayed as a stored run with its chart, and compares it with the sequential run', async () => {
  const store = useExploreStore()
  await store.loadScenarios()
  expect(store.scenarioChoices.races.map((s) => s.name)).toContain('race-locked-entry-skip')
  const r = await store.explore({ scenario: 'race-locked-entry-skip', kernel: '6.15' })
  expect(r?.complete).toBe(true)
  expect(store.running).toBe(false)
  expect(store.result?.counterexamples.map((c) => c.kind)).toEqual(['dma_after_release'])
  await expect.poll(() => store.series).toBeDefined()
  expect(store.selectedKind).toBe('dma_after_release')
  const replay = store.openAsRun()!
  const run = await current().getRun({ id: replay })
  expect(run?.result.violations.map((v) => v.kind)).toContain('dma_after_release')
  // The chart is of the folio the violation is about, with its violation marker.
  expect(store.series!.violations.length).toBeGreaterThan(0)
  expect(run?.result.violations[0]?.pfn).toBe(store.series!.pfn)

  const pair = await store.compareWithSequential()
  expect(pair?.[0]).toBe(replay)
  const sequential = await current().getRun({ id: pair![1] })
  expect(sequential?.result.violations).toEqual([])
  // Asked again, nothing new is stored; selecting the same counterexample again reuses its replay.
  expect(await store.compareWithSequential()).toEqual(pair)
  await store.select('dma_after_release')
  expect(store.replayRunId).toBe(replay)
  expect((await current().listRuns(undefined)).length).toBe(2)
})

it('polls progress while the search runs and keeps what was found when cancelled', async () => {
  const store = useExploreStore()
  const search = store.explore({ scenario: 'inline', source: BIG_RACE, kernel: '6.17' }, 10)
  await expect.poll(() => store.progress?.schedules_executed ?? 0, { timeout: 20_000 }).toBeGreaterThan(5)
  expect(store.running).toBe(true)
  expect(store.progress?.state).toBe('running')
  await store.cancel()
  const r = await search
  expect(r?.complete).toBe(false)
  expect(r?.cut).toMatch(/^cancelled/)
  expect(store.result).toBe(r)
  expect(store.running).toBe(false)
  expect(store.progress).toBeUndefined()
})

it('shows a bad request as one error naming the field, and no result', async () => {
  const store = useExploreStore()
  expect(await store.explore({ scenario: 'race-locked-entry-skip', kernel: '4.19' })).toBeUndefined()
  expect(store.error).toMatchObject({ code: 'invalid_request', field: 'kernel' })
  expect(store.result).toBeUndefined()
  expect(await store.explore({ scenario: 'fsdax-pin-unpin', kernel: '6.15' })).toBeUndefined()
  expect(store.error).toMatchObject({ field: 'scenario' })
  expect(store.running).toBe(false)
})

it('a complete search without violations selects nothing', async () => {
  const store = useExploreStore()
  const r = await store.explore({ scenario: 'race-locked-entry-skip', kernel: '6.16' })
  expect(r?.complete).toBe(true)
  expect(store.selected).toBeUndefined()
  expect(store.openAsRun()).toBeUndefined()
  expect(await store.compareWithSequential()).toBeUndefined()
})

it('looks a replay up before storing it: the same counterexample selected twice, and again in a later search, is one run', async () => {
  const store = useExploreStore()
  const request = { scenario: 'race-locked-entry-skip', kernel: '6.15' }
  await store.explore(request)
  await expect.poll(() => store.series).toBeDefined()
  const first = store.replayRunId!
  // Twice at once: the second selection waits for the run the first is storing.
  await Promise.all([store.select('dma_after_release'), store.select('dma_after_release')])
  expect(store.replayRunId).toBe(first)
  // The same search again: its counterexample is the same replay, so the stored run is reused.
  await store.explore(request)
  await expect.poll(() => store.series).toBeDefined()
  expect(store.replayRunId).toBe(first)
  const runs = await current().listRuns(undefined)
  expect(runs.map((r) => r.id)).toEqual([first])
  // The sequential run is looked up the same way: asked for in two searches, stored once.
  const pair = (await store.compareWithSequential())!
  await store.explore(request)
  await expect.poll(() => store.series).toBeDefined()
  expect(await store.compareWithSequential()).toEqual(pair)
  expect((await current().listRuns(undefined)).length).toBe(2)
})

it('stores another replay when what makes the run differs: the scenario text under the same name', async () => {
  const text = (await current().getScenarioText({ name: 'race-locked-entry-skip' })).text
  const mine = text.replace(/^name: race-locked-entry-skip$/m, 'name: my-race')
  expect(mine).not.toBe(text)
  await current().saveScenario({ text: mine })
  const store = useExploreStore()
  await store.explore({ scenario: 'my-race', kernel: '6.15' })
  await expect.poll(() => store.series).toBeDefined()
  const first = store.replayRunId!
  // Overwritten under the same name (a comment added): another text, so another run.
  await current().saveScenario({ text: `${mine}# edited\n`, replace: true })
  await store.explore({ scenario: 'my-race', kernel: '6.15' })
  await expect.poll(() => store.series).toBeDefined()
  expect(store.replayRunId).not.toBe(first)
  expect((await current().listRuns(undefined)).length).toBe(2)
})
