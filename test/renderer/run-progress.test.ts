/** The runs store against the real services: progress polled during a long run, and cancel. */
import { expect, it } from 'vitest'
import type { RunProgress } from '../../main/contract/api'
import { useRunViewStore } from '../../renderer/stores/run-view'
import { useRunsStore } from '../../renderer/stores/runs'
import { useRealService } from './real-service'

const current = useRealService()

const source = (probes: number) =>
  `name: long\ndescription: many steps\nprofile: x86-devdax\nsteps:\n  - mmap: {id: d, device: dax0, length: 2MiB}\n${'  - probe: {map: d}\n'.repeat(probes)}`

it('shows progress while running and can cancel', async () => {
  const store = useRunsStore()
  const seen: RunProgress[] = []
  const running = store.runScenario({ scenario: 'inline', source: source(60000), kernel: '6.17' }, 1)
  expect(store.running).toBe(true)
  // Poll until the backend reports steps done, then cancel.
  while (!(store.progress && store.progress.done > 0)) {
    await new Promise((r) => setTimeout(r, 2))
    if (store.progress) seen.push(store.progress)
  }
  expect(store.progress!.total).toBe(60001)
  await store.cancelRun()
  expect(await running).toBeUndefined()
  expect(store.error?.code).toBe('cancelled')
  expect(store.running).toBe(false)
  expect(store.progress).toBeUndefined()
  expect(await current().listRuns(undefined)).toEqual([])
})

it('clears progress when the run completes', async () => {
  const store = useRunsStore()
  const id = await store.runScenario({ scenario: 'fsdax-read-fault', kernel: '6.17' })
  expect(id).toBe(1)
  expect(store.progress).toBeUndefined()
  expect(useRunViewStore().header?.summary.id).toBe(1)
})
