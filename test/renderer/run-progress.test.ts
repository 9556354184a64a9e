/** The runs store against the real services: progress polled during a long run, and cancel. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { RunProgress } from '../../main/contract/api'
import { createLabService, type LabService } from '../../main/services/lab-service'
import { setLabApi } from '../../renderer/api'
import { useRunsStore } from '../../renderer/stores/runs'

let dir: string
let service: LabService

beforeEach(() => {
  setActivePinia(createPinia())
  dir = mkdtempSync(join(tmpdir(), 'daxlab-progress-'))
  service = createLabService({ dbPath: join(dir, 'lab.sqlite') })
  setLabApi(service)
})

afterEach(() => {
  setLabApi(undefined)
  service.close()
  rmSync(dir, { recursive: true, force: true })
})

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
  expect(await service.listRuns(undefined)).toEqual([])
})

it('clears progress when the run completes', async () => {
  const store = useRunsStore()
  const id = await store.runScenario({ scenario: 'fsdax-read-fault', kernel: '6.17' })
  expect(id).toBe(1)
  expect(store.progress).toBeUndefined()
  expect(store.selected?.summary.id).toBe(1)
})
