/**
 * Electron app lifecycle: harden the session and every web contents, start the services' utility
 * process, register the IPC handlers and open the window. The build lays out out/main (this bundle and
 * service-worker.js), out/preload/index.cjs and out/renderer/index.html side by side.
 */
import { defaultDbPath } from '../store/paths'
import { join } from 'node:path'
import { app, session, type BrowserWindow } from 'electron'
import { CONTENT_SECURITY_POLICY_HEADER, DEV_CONTENT_SECURITY_POLICY } from '../contract/security'
import { registerLabIpc } from './ipc'
import { appSenderCheck } from './sender-policy'
import { startServiceHost, type ServiceHost } from './service-host'
import { hardenSession } from './session'
import { createMainWindow, lockDownWebContents } from './window'

export interface AppLayout {
  /** Directory of the built main bundle (out/main). */
  readonly mainDir: string
}

export function appPaths(mainDir: string): { preload: string; rendererIndex: string; serviceWorker: string } {
  return {
    preload: join(mainDir, '../preload/index.cjs'),
    rendererIndex: join(mainDir, '../renderer/index.html'),
    serviceWorker: join(mainDir, 'service-worker.js'),
  }
}

/** The trace store: the same file as the CLI ($DAXLAB_DB, else the user data directory; docs/store.md). */
export function databasePath(): string {
  return defaultDbPath()
}

export function startApp(layout: AppLayout): void {
  const paths = appPaths(layout.mainDir)
  // Set by `electron-vite dev` only; a packaged or previewed build loads the file.
  const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined

  app.enableSandbox()
  app.on('web-contents-created', (_event, contents) => lockDownWebContents(contents))

  let host: ServiceHost | undefined
  let unregister: (() => void) | undefined
  let window: BrowserWindow | undefined

  const openWindow = (): void => {
    window = createMainWindow(paths.preload, devServerUrl ? { url: devServerUrl } : { file: paths.rendererIndex })
    window.on('closed', () => (window = undefined))
  }

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession, devServerUrl ? DEV_CONTENT_SECURITY_POLICY : CONTENT_SECURITY_POLICY_HEADER)
    host = startServiceHost({ workerPath: paths.serviceWorker, dbPath: databasePath() })
    unregister = registerLabIpc(host.api, appSenderCheck({ rendererIndex: paths.rendererIndex, devServerUrl }))
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
}
