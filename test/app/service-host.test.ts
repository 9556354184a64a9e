import { EventEmitter } from 'node:events'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { callLab } from '../../main/contract/envelope'
import type { ServiceRequest } from '../../main/app/service-protocol'
import { createFakeLabApi } from '../fakes/lab-api'

/** A utility process double that runs the worker's loop (callLab on a fake service) in-process. */
const utility = vi.hoisted(() => ({ forks: [] as { path: string; options: { env?: Record<string, string | undefined> }; child: unknown }[] }))

class FakeChild extends EventEmitter {
  killed = false
  readonly service = createFakeLabApi()
  constructor() {
    super()
    queueMicrotask(() => this.emit('spawn'))
  }
  readonly fileCalls: unknown[] = []
  postMessage(message: ServiceRequest) {
    if ('fileMethod' in message) {
      this.fileCalls.push(message)
      queueMicrotask(() => this.emit('message', { id: message.id, result: { ok: true, value: { fileName: 'x.daxlab', runs: 0, bytes: 1, checksum: 'c' } } }))
      return
    }
    void callLab(this.service, message.method, message.payload).then((result) => this.emit('message', { id: message.id, result }))
  }
  kill() {
    this.killed = true
    this.emit('exit', 0)
    return true
  }
}

vi.mock('electron', () => ({
  utilityProcess: {
    fork: (path: string, _args: string[], options: { env?: Record<string, string | undefined> }) => {
      const child = new FakeChild()
      utility.forks.push({ path, options, child })
      return child
    },
  },
}))

const { startServiceHost } = await import('../../main/app/service-host')

describe('service host', () => {
  beforeEach(() => {
    utility.forks.length = 0
  })

  it('forks the worker lazily with the database path and forwards calls', async () => {
    const host = startServiceHost({ workerPath: '/out/main/service-worker.js', dbPath: '/tmp/lab.sqlite' })
    expect(utility.forks).toHaveLength(0)
    await expect(host.api.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14' })).resolves.toEqual({ runId: 1 })
    await expect(host.api.listRuns(undefined)).resolves.toHaveLength(1)
    expect(utility.forks).toHaveLength(1)
    expect(utility.forks[0]!.path).toBe('/out/main/service-worker.js')
    expect(utility.forks[0]!.options.env?.DAXLAB_DB).toBe('/tmp/lab.sqlite')
    expect(utility.forks[0]!.options.env?.DAXLAB_SQLITE_BINDING).toBe(process.env.DAXLAB_SQLITE_BINDING)
    host.close()
    expect((utility.forks[0]!.child as FakeChild).killed).toBe(true)
  })

  it('sends the main process’s file calls as fileMethod requests on the same port', async () => {
    const host = startServiceHost({ workerPath: 'w.js', dbPath: 'db' })
    await expect(host.files.exportSessionFile({ name: 'base', path: '/tmp/x.daxlab' })).resolves.toMatchObject({ fileName: 'x.daxlab' })
    const child = utility.forks[0]!.child as FakeChild
    expect(child.fileCalls).toEqual([{ id: 1, fileMethod: 'exportSessionFile', payload: { name: 'base', path: '/tmp/x.daxlab' } }])
    host.close()
  })

  it('hands the worker the Electron build of better-sqlite3 it was given', async () => {
    const host = startServiceHost({ workerPath: 'w.js', dbPath: 'db', sqliteBinding: '/opt/daxlab/.electron-native/better_sqlite3.node' })
    await host.api.listScenarios(undefined)
    expect(utility.forks[0]!.options.env?.DAXLAB_SQLITE_BINDING).toBe('/opt/daxlab/.electron-native/better_sqlite3.node')
    host.close()
  })

  it('rejects with the error data the worker sent', async () => {
    const host = startServiceHost({ workerPath: 'w.js', dbPath: 'db' })
    const err = await host.api.getRun({ id: 'x' as never }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as { data: unknown }).data).toMatchObject({ code: 'invalid_request', field: 'id' })
    host.close()
  })

  it('fails pending calls when the worker dies and starts a new one on the next call', async () => {
    const host = startServiceHost({ workerPath: 'w.js', dbPath: 'db' })
    await host.api.listScenarios(undefined)
    const child = utility.forks[0]!.child as FakeChild
    child.postMessage = () => undefined // the call never gets an answer...
    const pending = host.api.listRuns(undefined)
    await Promise.resolve()
    child.emit('exit', 9) // ...because the process dies
    await expect(pending).rejects.toMatchObject({ data: { code: 'failed', message: 'services process exited (code 9)' } })
    await expect(host.api.listScenarios(undefined)).resolves.toHaveLength(2)
    expect(utility.forks).toHaveLength(2)
    host.close()
    await expect(host.api.listScenarios(undefined)).rejects.toMatchObject({ data: { code: 'failed' } })
  })
})
