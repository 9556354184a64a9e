import { beforeEach, describe, expect, it, vi } from 'vitest'
import { CHANNEL_PREFIX, LAB_METHODS, channelOf } from '../../main/contract/api'
import type { LabResult } from '../../main/contract/envelope'
import { createFakeLabApi, type FakeLabApi } from '../fakes/lab-api'

const electron = vi.hoisted(() => {
  type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>
  const handlers = new Map<string, Handler>()
  const windows: { options: Record<string, unknown>; contents: FakeContents }[] = []

  class FakeContents {
    readonly listeners = new Map<string, ((event: { preventDefault(): void }, ...args: unknown[]) => void)[]>()
    openHandler: ((details: { url: string }) => { action: string }) | undefined
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.openHandler = handler
    }
    on(name: string, listener: (event: { preventDefault(): void }, ...args: unknown[]) => void) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener])
      return this
    }
    /** Emits like Electron: returns whether some listener called preventDefault(). */
    emitPreventable(name: string, ...args: unknown[]): boolean {
      let prevented = false
      const event = { preventDefault: () => (prevented = true) }
      for (const listener of this.listeners.get(name) ?? []) listener(event, ...args)
      return prevented
    }
  }

  class FakeBrowserWindow {
    readonly webContents = new FakeContents()
    constructor(readonly options: Record<string, unknown>) {
      windows.push({ options, contents: this.webContents })
    }
    once() {
      return this
    }
    on() {
      return this
    }
    loadFile() {
      return Promise.resolve()
    }
    loadURL() {
      return Promise.resolve()
    }
  }

  return {
    handlers,
    windows,
    FakeContents,
    module: {
      ipcMain: {
        handle: (channel: string, handler: Handler) => {
          if (handlers.has(channel)) throw new Error(`second handler for ${channel}`)
          handlers.set(channel, handler)
        },
        removeHandler: (channel: string) => handlers.delete(channel),
        on: () => {
          throw new Error('raw ipcMain.on is not allowed')
        },
      },
      BrowserWindow: FakeBrowserWindow,
    },
  }
})

vi.mock('electron', () => electron.module)

const { registerLabIpc } = await import('../../main/app/ipc')
const { appSenderCheck } = await import('../../main/app/sender-policy')
const { createMainWindow, lockDownWebContents, mainWindowOptions } = await import('../../main/app/window')

const APP_URL = 'daxlab://app/index.html'
const trusted = appSenderCheck()

function invoke(channel: string, senderUrl: string | null, ...args: unknown[]): Promise<LabResult<unknown>> {
  const handler = electron.handlers.get(channel)
  if (!handler) throw new Error(`no handler for ${channel}`)
  const event = { senderFrame: senderUrl === null ? null : { url: senderUrl } }
  return handler(event, ...args) as Promise<LabResult<unknown>>
}

describe('IPC wrapper', () => {
  let service: FakeLabApi
  let unregister: () => void

  beforeEach(() => {
    electron.handlers.clear()
    service = createFakeLabApi()
    unregister = registerLabIpc(service, trusted)
  })

  it('registers exactly one handler per contract method, on its lab: channel', () => {
    expect([...electron.handlers.keys()].sort()).toEqual(LAB_METHODS.map(channelOf).sort())
    for (const channel of electron.handlers.keys()) expect(channel.startsWith(CHANNEL_PREFIX)).toBe(true)
  })

  it('removes its handlers again', () => {
    unregister()
    expect(electron.handlers.size).toBe(0)
  })

  it('forwards a valid call from the app page and wraps the value', async () => {
    const started = await invoke(channelOf('runScenario'), APP_URL, { scenario: 'fsdax-pin-unpin', kernel: '6.14' })
    expect(started).toEqual({ ok: true, value: { runId: 1 } })
    const runs = await invoke(channelOf('listRuns'), `${APP_URL}#runs`, undefined)
    expect((await invoke(channelOf('listRuns'), 'daxlab://app/', undefined)).ok).toBe(true)
    expect(runs.ok && (runs.value as unknown[]).length).toBe(1)
    const scenarios = await invoke(channelOf('listScenarios'), APP_URL)
    expect(scenarios.ok).toBe(true)
  })

  it('rejects a bad payload with the bad field named, without calling the service', async () => {
    const wrongType = await invoke(channelOf('getRun'), APP_URL, { id: 'seven' })
    expect(wrongType).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'id' } })
    const missing = await invoke(channelOf('runScenario'), APP_URL, { scenario: 'fsdax-pin-unpin' })
    expect(missing).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'kernel' } })
    const extra = await invoke(channelOf('runScenario'), APP_URL, { scenario: 'a', kernel: '6.14', shell: 'rm -rf /' })
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'shell' } })
    const tooBig = await invoke(channelOf('listRuns'), APP_URL, { limit: 1e9 })
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'limit' } })
    const twoArgs = await invoke(channelOf('getRun'), APP_URL, { id: 1 }, { id: 2 })
    expect(twoArgs).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    expect(service.calls).toEqual([])
  })

  it('refuses callers that are not the app page', async () => {
    for (const url of [
      'https://evil.example/',
      'file:///tmp/evil.html',
      // The app no longer loads from file://, so even the built index.html there is not the app page.
      'file:///opt/daxlab/out/renderer/index.html',
      'daxlab://app/other.html',
      'daxlab://other/index.html',
      'daxlab://user@app/index.html',
      'daxlab://app/assets/index.js',
      'http://127.0.0.1:5173/',
      'not a url',
    ]) {
      const result = await invoke(channelOf('listRuns'), url, undefined)
      expect(result, url).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    }
    expect(await invoke(channelOf('listRuns'), null, undefined)).toMatchObject({ ok: false })
    expect(service.calls).toEqual([])
  })

  it('trusts the dev server origin only when one is configured', async () => {
    const dev = appSenderCheck({ devServerUrl: 'http://localhost:5173/' })
    expect(dev('http://localhost:5173/index.html')).toBe(true)
    expect(dev('http://localhost:5174/')).toBe(false)
    expect(dev('https://localhost:5173/')).toBe(false)
    expect(trusted('http://localhost:5173/')).toBe(false)
  })

  it('turns service errors into error data, never a raw exception', async () => {
    const notFound = await invoke(channelOf('runScenario'), APP_URL, { scenario: 'nope', kernel: '6.14' })
    expect(notFound).toEqual({ ok: false, error: { code: 'not_found', field: 'scenario', message: "no built-in scenario 'nope'" } })

    service.listProfiles = async () => {
      throw new TypeError('boom at /home/user/secret/path.ts:12')
    }
    const failed = await invoke(channelOf('listProfiles'), APP_URL)
    expect(failed).toEqual({ ok: false, error: { code: 'failed', message: 'boom at /home/user/secret/path.ts:12' } })
    expect(JSON.stringify(failed)).not.toContain('stack')
  })
})

describe('main window', () => {
  beforeEach(() => {
    electron.windows.length = 0
  })

  it('isolates and sandboxes the page, with no Node integration', () => {
    const prefs = mainWindowOptions('/opt/daxlab/out/preload/index.cjs').webPreferences!
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(prefs.webviewTag).toBe(false)
    expect(prefs.preload).toBe('/opt/daxlab/out/preload/index.cjs')
  })

  it('creates the window with those options and locks its contents down', () => {
    createMainWindow('/p/index.cjs', { url: APP_URL })
    expect(electron.windows).toHaveLength(1)
    const { options, contents } = electron.windows[0]!
    expect(options).toEqual(mainWindowOptions('/p/index.cjs'))
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
    expect(contents.emitPreventable('will-navigate', 'https://example.com/')).toBe(true)
  })

  it('denies window.open, navigation in any frame and <webview>', () => {
    const contents = new electron.FakeContents()
    lockDownWebContents(contents as never)
    expect(contents.openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(contents.emitPreventable('will-navigate', 'https://example.com/')).toBe(true)
    expect(contents.emitPreventable('will-frame-navigate')).toBe(true)
    expect(contents.emitPreventable('will-attach-webview')).toBe(true)
  })
})
