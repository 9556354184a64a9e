/** The scenarios store over the real services: the library by topic, a scenario's text, and the run view's stored text. */
import { expect, it } from 'vitest'
import { useRunViewStore } from '../../renderer/stores/run-view'
import { useRunsStore } from '../../renderer/stores/runs'
import { useScenariosStore } from '../../renderer/stores/scenarios'
import { useRealService } from './real-service'

const current = useRealService()

it('groups the library by topic and shows the first scenario with its text', async () => {
  const store = useScenariosStore()
  await store.load()
  expect(store.topics.map((t) => t.topic)).toEqual(['arch-quirks', 'devdax', 'device-coherent', 'device-private', 'fsdax', 'memory-failure', 'p2pdma', 'proposal-2022', 'races', 'series'])
  const fsdax = store.topics.find((t) => t.topic === 'fsdax')!.entries.map((e) => e.name)
  expect(fsdax).toEqual([...fsdax].sort())
  expect(store.selectedName).toBe(store.topics[0]!.entries[0]!.name)
  expect(store.text?.text).toContain(`name: ${store.selectedName}`)
  await store.select('fsdax-pin-unpin')
  expect(store.selected?.sources?.length).toBeGreaterThan(0)
  expect(store.text?.text).toContain('name: fsdax-pin-unpin')
})

it('lets the run form pick a scenario, and the run view fetch the stored text only when asked', async () => {
  const runs = useRunsStore()
  runs.pickScenario('fsdax-read-fault')
  expect(runs.pickedScenario).toBe('fsdax-read-fault')
  const id = await runs.runScenario({ scenario: 'fsdax-read-fault', kernel: '6.17' })
  const view = useRunViewStore()
  expect(view.runId).toBe(id)
  expect(view.scenarioText).toBeUndefined()
  await view.loadScenarioText()
  expect(view.scenarioText?.text).toBe((await current().getScenarioText({ name: 'fsdax-read-fault' })).text)
})
