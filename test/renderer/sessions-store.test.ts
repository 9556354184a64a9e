/** The sessions store over the real services: sweep with progress, list, open, export, import, diff, cancel. */
import { expect, it } from 'vitest'
import { useSessionsStore } from '../../renderer/stores/sessions'
import { base64ToBytes, bytesToBase64 } from '../../renderer/components/sessions/archive-file'
import { useRealService } from './real-service'

const current = useRealService()

it('sweeps into a session, lists and opens it, exports, imports it under another name and diffs identical', async () => {
  const store = useSessionsStore()
  const outcome = await store.runSweep({ scenarios: ['fsdax-pin-unpin', 'fsdax-read-fault'], kernels: ['6.14', '6.17'], arches: ['x86'], session: 'base', jobs: 1 }, 5)
  expect(outcome).toMatchObject({ session: 'base', done: 4, skipped: 0, failed: 0, cancelled: false })
  expect(store.sweeping).toBe(false)
  expect(store.progress).toBeUndefined()
  expect(store.sessions.map((s) => [s.name, s.state, s.runs])).toEqual([['base', 'complete', 4]])
  expect(store.selected).toBe('base')
  expect(store.detail?.combinations.map((c) => c.status)).toEqual(['done', 'done', 'done', 'done'])

  const archive = await store.exportArchive('base')
  expect(archive?.runs).toBe(4)
  // The page's own base64 round trip (what the download and the upload do) keeps every byte.
  const bytes = base64ToBytes(archive!.data)
  expect(bytes.length).toBe(archive!.bytes)
  expect(bytesToBase64(bytes)).toBe(archive!.data)
  expect(await store.importArchive(bytesToBase64(bytes), 'base.daxlab', 'copy')).toMatchObject({ status: 'imported', session: 'copy', runs: 4 })
  expect(store.notice).toBe("imported session 'copy' (4 runs)")
  expect(store.sessions.map((s) => s.name).sort()).toEqual(['base', 'copy'])

  const diff = await store.diffSessions('base', 'copy')
  expect(diff?.identical).toBe(true)
  expect(store.diff?.summary_line).toBe('4 runs identical, 0 changed')
})

it('diffs sessions over different kernels with a compare pair for each changed run', async () => {
  const store = useSessionsStore()
  await store.runSweep({ scenarios: ['fsdax-truncate-after-munmap'], kernels: ['6.14'], arches: ['x86'], session: 'old', jobs: 1 }, 5)
  await store.runSweep({ scenarios: ['fsdax-truncate-after-munmap'], kernels: ['6.17'], arches: ['x86'], session: 'new', jobs: 1 }, 5)
  const diff = await store.diffSessions('old', 'new')
  expect(diff?.identical).toBe(false)
  expect(diff?.changed.map((c) => [c.a_id, c.b_id])).toEqual([[1, 2]])
})

it('shows a refused archive and a bad sweep as one error naming the field', async () => {
  const store = useSessionsStore()
  expect(await store.importArchive(bytesToBase64(new TextEncoder().encode('hello')), 'hello.daxlab')).toBeUndefined()
  expect(store.error).toMatchObject({ code: 'invalid_request', field: 'data' })
  expect(store.error?.message).toMatch(/^hello\.daxlab: /)
  expect(await store.runSweep({ scenarios: ['fsdax-pin-unpin'], kernels: ['6.14'], arches: ['vax'] }, 5)).toBeUndefined()
  expect(store.error).toMatchObject({ field: 'arches' })
  expect(store.sessions).toEqual([])
})

it('cancels a sweep in flight: the session stays, incomplete', async () => {
  const store = useSessionsStore()
  const scenarios = (await current().listScenarios(undefined)).map((s) => s.name)
  const sweep = store.runSweep({ scenarios, kernels: ['6.14', '6.15', '6.17'], arches: ['all'], session: 'big', jobs: 1 }, 5)
  await new Promise((r) => setTimeout(r, 40))
  await store.cancelSweep()
  const outcome = await sweep
  expect(outcome?.cancelled).toBe(true)
  expect(store.sessions.find((s) => s.name === 'big')?.state).toBe('incomplete')
})
