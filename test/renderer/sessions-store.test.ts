/** The sessions store over the real services: sweep with progress, list, open, export, import, diff, cancel. */
import { expect, it } from 'vitest'
import { useSessionsStore } from '../../renderer/stores/sessions'
import { base64ToBytes, bytesToBase64 } from '../../renderer/api/web-files'
import { useFakeFileDom } from './fake-file-dom'
import { useRealService } from './real-service'

const current = useRealService()
const dom = useFakeFileDom()

it('sweeps into a session, lists and opens it, exports, imports it under another name and diffs identical', async () => {
  const store = useSessionsStore()
  const outcome = await store.runSweep({ scenarios: ['fsdax-pin-unpin', 'fsdax-read-fault'], kernels: ['6.14', '6.17'], arches: ['x86'], session: 'base', jobs: 1 }, 5)
  expect(outcome).toMatchObject({ session: 'base', done: 4, skipped: 0, failed: 0, cancelled: false })
  expect(store.sweeping).toBe(false)
  expect(store.progress).toBeUndefined()
  expect(store.sessions.map((s) => [s.name, s.state, s.runs])).toEqual([['base', 'complete', 4]])
  expect(store.selected).toBe('base')
  expect(store.detail?.combinations.map((c) => c.status)).toEqual(['done', 'done', 'done', 'done'])

  // Over the web transport, Export is a download of exportSession's bytes...
  const archive = await store.exportArchive('base')
  expect(archive).toMatchObject({ fileName: 'base.daxlab', runs: 4 })
  expect(store.exported).toEqual(archive)
  expect(dom.downloads.map((d) => d.fileName)).toEqual(['base.daxlab'])
  const bytes = new Uint8Array(await dom.downloads[0]!.blob.arrayBuffer())
  expect(bytes.length).toBe(archive!.bytes)
  expect(Buffer.from(bytes).subarray(0, 15).toString()).toBe('SQLite format 3')
  // ...and Import an upload of the file chosen: the page's base64 round trip keeps every byte.
  expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes)
  expect(await store.importArchive()).toBeUndefined() // the chooser closed: nothing happens
  expect(store.error).toBeUndefined()
  expect(store.sessions).toHaveLength(1)
  dom.choose(new File([bytes], 'base.daxlab'))
  expect(await store.importArchive('copy')).toMatchObject({ status: 'imported', session: 'copy', runs: 4, fileName: 'base.daxlab' })
  expect(dom.accepts).toEqual(['.daxlab', '.daxlab'])
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
  dom.choose(new File(['hello'], 'hello.daxlab'))
  expect(await store.importArchive()).toBeUndefined()
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
