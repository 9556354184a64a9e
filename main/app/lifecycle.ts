/**
 * Electron app lifecycle: one instance only, the daxlab:// scheme, a hardened session and web
 * contents, the services' utility process, the IPC handlers (the lab contract and the file dialogs) and
 * the window. The build lays out
 * out/main (this bundle and service-worker.js), out/preload/index.cjs and out/renderer side by side.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { defaultDbPath } from '../store/paths'
import { app, protocol, session, type BrowserWindow } from 'electron'
import { CONTENT_SECURITY_POLICY_HEADER, DEV_CONTENT_SECURITY_POLICY } from '../contract/security'
import { APP_INDEX_URL, handleAppScheme, registerAppScheme } from './app-protocol'
import { registerFileIpc } from './file-ipc'
import { registerLabIpc } from './ipc'
import { appSenderCheck } from './sender-policy'
import { startServiceHost, type ServiceHost } from './service-host'
import { hardenSession } from './session'
import { createMainWindow, lockDownWebContents } from './window'

export interface AppLayout {
  /** Directory of the built main bundle (out/main). */
  readonly mainDir: string
}

export function appPaths(mainDir: string): { preload: string; rendererDir: string; serviceWorker: string; sqliteBinding: string } {
  return {
    preload: join(mainDir, '../preload/index.cjs'),
    rendererDir: join(mainDir, '../renderer'),
    serviceWorker: join(mainDir, 'service-worker.js'),
    // Where scripts/electron-native.mjs puts the Electron build of better-sqlite3: the project root,
    // found from the bundle rather than the working directory, which is anything when launched elsewhere.
    sqliteBinding: join(mainDir, '../../.electron-native/better_sqlite3.node'),
  }
}

/** Starts the app; false when another instance already runs (it gets focused and this one quits). */
export function startApp(layout: AppLayout): boolean {
  // One instance: two would open the same store and race on its runs; the second focuses the first.
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return false
  }
  const paths = appPaths(layout.mainDir)
  // Set by `electron-vite dev` only; a packaged or previewed build loads daxlab://app/index.html.
  const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
  const contentSecurityPolicy = devServerUrl ? DEV_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY_HEADER

  app.enableSandbox()
  registerAppScheme(protocol)
  app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents))

  let host: ServiceHost | undefined
  let unregister: (() => void) | undefined
  let window: BrowserWindow | undefined

  const openWindow = (): void => {
    window = createMainWindow(paths.preload, { url: devServerUrl ?? APP_INDEX_URL })
    window.on('closed', () => (window = undefined))
  }

  app.on('second-instance', () => {
    if (!window) return
    if (window.isMinimized()) window.restore()
    window.focus()
  })

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession, contentSecurityPolicy)
    handleAppScheme(protocol, paths.rendererDir, contentSecurityPolicy)
    host = startServiceHost({
      workerPath: paths.serviceWorker,
      // The same file as the CLI ($DAXLAB_DB, else the user data directory; docs/store.md).
      dbPath: defaultDbPath(),
      sqliteBinding: process.env.DAXLAB_SQLITE_BINDING ?? (existsSync(paths.sqliteBinding) ? paths.sqliteBinding : undefined),
    })
    const isTrustedSender = appSenderCheck({ devServerUrl })
    const unregisterLab = registerLabIpc(host.api, isTrustedSender)
    const unregisterFiles = registerFileIpc({ api: host.api, files: host.files, isTrustedSender })
    unregister = () => {
      unregisterLab()
      unregisterFiles()
    }
    openWindow()
    app.on('activate', () => {
      if (!window) openWindow()
    })
  })

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })

  app.on('will-quit', () => {
    unregister?.()
    host?.close()
  })
  return true
}
