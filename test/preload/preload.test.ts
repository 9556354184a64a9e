import { beforeAll, describe, expect, it, vi } from 'vitest'
import { FILE_METHODS } from '../../main/contract/files'
import { LAB_METHODS, channelOf, type LabApi } from '../../main/contract/api'
import type { LabBridge } from '../../main/contract/envelope'
import { fromBridge } from '../../renderer/api/index'

const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>()
  const replies = new Map<string, unknown>()
  const invocations: { channel: string; args: unknown[] }[] = []
  return {
    exposed,
    replies,
    invocations,
    module: {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: async (channel: string, ...args: unknown[]) => {
          invocations.push({ channel, args })
          return replies.get(channel)
        },
        on: () => {
          throw new Error('the preload must not listen on raw channels')
        },
        send: () => {
          throw new Error('the preload must not send on raw channels')
        },
      },
    },
  }
})

vi.mock('electron', () => electron.module)

let bridge: LabBridge
let lab: LabApi

beforeAll(async () => {
  await import('../../preload/index')
  bridge = electron.exposed.get('lab') as LabBridge
  // The renderer's view of it (renderer/api unwraps the envelopes).
  lab = fromBridge(bridge)
})

describe('preload', () => {
  it('exposes only window.lab and window.labFiles (the file dialogs, frozen, one method per file method)', () => {
    expect([...electron.exposed.keys()]).toEqual(['lab', 'labFiles'])
    const files = electron.exposed.get('labFiles') as Record<string, unknown>
    expect(Object.isFrozen(files)).toBe(true)
    expect(Object.keys(files).sort()).toEqual([...FILE_METHODS].sort())
  })

  it('window.lab has exactly the contract methods and is frozen', () => {
    expect(Object.keys(bridge).sort()).toEqual([...LAB_METHODS].sort())
    for (const method of LAB_METHODS) expect(typeof bridge[method]).toBe('function')
    expect(Object.isFrozen(bridge)).toBe(true)
    expect(() => {
      ;(bridge as unknown as Record<string, unknown>).ipcRenderer = {}
    }).toThrow(TypeError)
    expect(Object.values(bridge)).not.toContain(electron.module.ipcRenderer)
  })

  it('resolves errors as data, since the context bridge would strip an Error to its message', async () => {
    const data = { code: 'not_found', message: 'no run 9' }
    electron.replies.set(channelOf('getRun'), { ok: false, error: data })
    await expect(bridge.getRun({ id: 9 })).resolves.toEqual({ ok: false, error: data })
  })

  it('invokes each method on its own channel with the one request argument', async () => {
    electron.replies.set(channelOf('getRun'), { ok: true, value: null })
    await expect(lab.getRun({ id: 3 })).resolves.toBeNull()
    expect(electron.invocations.at(-1)).toEqual({ channel: 'lab:getRun', args: [{ id: 3 }] })

    electron.replies.set(channelOf('listScenarios'), { ok: true, value: [{ name: 'a', description: '' }] })
    await expect(lab.listScenarios(undefined)).resolves.toEqual([{ name: 'a', description: '' }])
    expect(electron.invocations.at(-1)).toEqual({ channel: 'lab:listScenarios', args: [undefined] })
  })

  it('rejects with an Error carrying the error data', async () => {
    const data = { code: 'invalid_request', message: 'runScenario: kernel: required', field: 'kernel' }
    electron.replies.set(channelOf('runScenario'), { ok: false, error: data })
    const err = await lab.runScenario({ scenario: 'x', kernel: '' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toBe('runScenario: kernel: required')
    expect((err as { data: unknown }).data).toEqual(data)
  })

  it('rejects a reply that is not an envelope', async () => {
    electron.replies.set(channelOf('listProfiles'), 'surprise')
    await expect(lab.listProfiles(undefined)).rejects.toThrow(/malformed reply/)
  })
})
