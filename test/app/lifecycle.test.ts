/**
 * The app as Electron starts it (main/app/lifecycle.ts), with a mocked `electron` that records every
 * call: each security setting is asserted on the real objects the app creates and the real handlers it
 * registers, not on constants: single-instance lock, sandbox for every renderer, the privileged
 * daxlab:// scheme, the session's permission and CSP handlers, the window's options and URL, and the
 * navigation / new-window / <webview> handlers on every web contents.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { CONTENT_SECURITY_POLICY_HEADER } from '../../main/contract/security'

const electron = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => void
  class FakeContents {
    readonly listeners = new Map<string, Listener[]>()
    openHandler: ((details: { url: string }) => { action: string }) | undefined
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.openHandler = handler
    }
    on(name: string, listener: Listener) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener])
      return this
    }
    prevented(name: string, ...args: unknown[]): boolean {
      let prevented = false
      for (const l of this.listeners.get(name) ?? []) l({ preventDefault: () => (prevented = true) }, ...args)
      return prevented
    }
  }
  const state = {
    lock: true,
    calls: [] as string[],
    appListeners: new Map<string, Listener[]>(),
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (request: { url: string; method: string }) => Promise<Response>>(),
    windows: [] as { options: Record<string, unknown>; url?: string; contents: FakeContents; focused: number }[],
    session: {
      permissionRequest: undefined as undefined | ((c: unknown, p: string, cb: (ok: boolean) => void) => void),
      permissionCheck: undefined as undefined | (() => boolean),
      device: undefined as undefined | (() => boolean),
      headers: undefined as undefined | ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void),
    },
    ipc: new Map<string, unknown>(),
    ready: undefined as undefined | (() => void),
    readyFired: false,
  }
  class FakeBrowserWindow {
    readonly webContents = new FakeContents()
    private readonly record: (typeof state.windows)[number]
    constructor(readonly options: Record<string, unknown>) {
      this.record = { options, contents: this.webContents, focused: 0 }
      state.windows.push(this.record)
    }
    once() {
      return this
    }
    on() {
      return this
    }
    loadURL(url: string) {
      this.record.url = url
      return Promise.resolve()
    }
    loadFile(): Promise<void> {
      throw new Error('the app must not load file:// pages')
    }
    isMinimized() {
      return false
    }
    restore() {}
    focus() {
      this.record.focused++
    }
  }
  const module = {
    app: {
      isPackaged: true,
      requestSingleInstanceLock: () => state.lock,
      quit: () => state.calls.push('quit'),
      enableSandbox: () => state.calls.push('enableSandbox'),
      on: (name: string, l: Listener) => state.appListeners.set(name, [...(state.appListeners.get(name) ?? []), l]),
      whenReady: () => new Promise<void>((resolve) => (state.ready = resolve)),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        if (state.readyFired) throw new Error('registerSchemesAsPrivileged after ready')
        state.schemes.push(...schemes)
      },
      handle: (scheme: string, handler: (request: { url: string; method: string }) => Promise<Response>) => state.protocolHandlers.set(scheme, handler),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: typeof state.session.permissionRequest) => (state.session.permissionRequest = h),
        setPermissionCheckHandler: (h: typeof state.session.permissionCheck) => (state.session.permissionCheck = h),
        setDevicePermissionHandler: (h: typeof state.session.device) => (state.session.device = h),
        webRequest: { onHeadersReceived: (h: typeof state.session.headers) => (state.session.headers = h) },
      },
    },
    ipcMain: {
      handle: (channel: string, handler: unknown) => state.ipc.set(channel, handler),
      removeHandler: (channel: string) => state.ipc.delete(channel),
    },
    utilityProcess: {
      fork: () => {
        throw new Error('the services start on the first call, not at launch')
      },
    },
    BrowserWindow: FakeBrowserWindow,
  }
  return { state, module, FakeContents }
})

vi.mock('electron', () => electron.module)

const { startApp } = await import('../../main/app/lifecycle')
const { LAB_METHODS, channelOf } = await import('../../main/contract/api')
const { FILE_METHODS, fileChannelOf } = await import('../../main/contract/files')

const root = mkdtempSync(join(tmpdir(), 'daxlab-app-'))
mkdirSync(join(root, 'out/main'), { recursive: true })
mkdirSync(join(root, 'out/renderer/assets'), { recursive: true })
writeFileSync(join(root, 'out/renderer/index.html'), '<!doctype html><title>lab</title>')
writeFileSync(join(root, 'out/renderer/assets/app.js'), 'console.log(1)')
writeFileSync(join(root, 'secret.txt'), 'secret')

afterAll(() => rmSync(root, { recursive: true, force: true }))

async function launch(): Promise<boolean> {
  const started = startApp({ mainDir: join(root, 'out/main') })
  electron.state.readyFired = true
  electron.state.ready?.()
  await new Promise((resolve) => setImmediate(resolve))
  return started
}

describe('app lifecycle (mocked electron)', () => {
  beforeEach(() => {
    const s = electron.state
    s.lock = true
    s.calls.length = 0
    s.appListeners.clear()
    s.schemes.length = 0
    s.protocolHandlers.clear()
    s.windows.length = 0
    s.ipc.clear()
    s.ready = undefined
    s.readyFired = false
  })

  it('quits at once when another instance holds the lock, creating nothing', async () => {
    electron.state.lock = false
    expect(await launch()).toBe(false)
    expect(electron.state.calls).toEqual(['quit'])
    expect(electron.state.windows).toEqual([])
    expect(electron.state.schemes).toEqual([])
  })

  it('focuses the existing window when a second instance starts', async () => {
    await launch()
    for (const l of electron.state.appListeners.get('second-instance') ?? []) l()
    expect(electron.state.windows[0]!.focused).toBe(1)
  })

  it('sandboxes every renderer and opens one isolated window on daxlab://app', async () => {
    expect(await launch()).toBe(true)
    expect(electron.state.calls).toContain('enableSandbox')
    expect(electron.state.windows).toHaveLength(1)
    const win = electron.state.windows[0]!
    expect(win.url).toBe('daxlab://app/index.html')
    const prefs = win.options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: join(root, 'out/preload/index.cjs'),
    })
    // Only the contract's channels and the file dialogs' are handled, all under lab:.
    expect([...electron.state.ipc.keys()].sort()).toEqual([...LAB_METHODS.map(channelOf), ...FILE_METHODS.map(fileChannelOf)].sort())
    for (const channel of electron.state.ipc.keys()) expect(channel.startsWith('lab:')).toBe(true)
  })

  it('registers daxlab:// as a privileged, standard, secure scheme before ready', async () => {
    await launch()
    expect(electron.state.schemes).toEqual([
      { scheme: 'daxlab', privileges: expect.objectContaining({ standard: true, secure: true, corsEnabled: false, allowServiceWorkers: false, bypassCSP: false }) },
    ])
  })

  it('serves only the built renderer on daxlab://app, with the CSP, and only GET', async () => {
    await launch()
    const handle = electron.state.protocolHandlers.get('daxlab')!
    const index = await handle({ url: 'daxlab://app/index.html', method: 'GET' })
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toContain('text/html')
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY_HEADER)
    expect(await index.text()).toContain('<title>lab</title>')
    expect((await handle({ url: 'daxlab://app/assets/app.js', method: 'GET' })).headers.get('content-type')).toContain('text/javascript')
    for (const url of ['daxlab://app/../secret.txt', 'daxlab://app/%2e%2e/secret.txt', 'daxlab://other/index.html', 'daxlab://app/missing.js', 'daxlab://app/assets']) {
      const res = await handle({ url, method: 'GET' })
      expect(res.status, url).toBe(404)
      expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY_HEADER)
    }
    expect((await handle({ url: 'daxlab://app/index.html', method: 'POST' })).status).toBe(405)
  })

  it('denies every permission and puts the CSP on every response of the session', async () => {
    await launch()
    const s = electron.state.session
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const cb = vi.fn()
      s.permissionRequest!({}, permission, cb)
      expect(cb).toHaveBeenCalledWith(false)
    }
    expect(s.permissionCheck!()).toBe(false)
    expect(s.device!()).toBe(false)
    let headers: Record<string, string[]> | undefined
    s.headers!({ responseHeaders: { 'Content-Security-Policy': ["default-src *"] } }, (r) => (headers = r.responseHeaders))
    expect(headers).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY_HEADER] })
  })

  it('blocks navigation, new windows and <webview> on the window and on any web contents created later', async () => {
    await launch()
    const contents = [electron.state.windows[0]!.contents, new electron.FakeContents()]
    for (const l of electron.state.appListeners.get('web-contents-created') ?? []) l({}, contents[1])
    for (const c of contents) {
      expect(c.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
      expect(c.prevented('will-navigate', 'https://example.com/')).toBe(true)
      expect(c.prevented('will-frame-navigate')).toBe(true)
      expect(c.prevented('will-attach-webview')).toBe(true)
    }
  })
})
