/**
 * Electron app lifecycle: harden the session and every web contents, start the services' utility
 * process, register the IPC handlers and open the window. The build lays out out/main (this bundle and
 * service-worker.js), out/preload/index.cjs and out/renderer/index.html side by side.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { defaultDbPath } from '../store/paths'
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

export function appPaths(mainDir: string): { preload: string; rendererIndex: string; serviceWorker: string; sqliteBinding: string } {
  return {
    preload: join(mainDir, '../preload/index.cjs'),
    rendererIndex: join(mainDir, '../renderer/index.html'),
    serviceWorker: join(mainDir, 'service-worker.js'),
    // Where scripts/electron-native.mjs puts the Electron build of better-sqlite3: the project root,
    // found from the bundle rather than the working directory, which is anything when launched elsewhere.
    sqliteBinding: join(mainDir, '../../.electron-native/better_sqlite3.node'),
  }
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
    host = startServiceHost({
      workerPath: paths.serviceWorker,
      // The same file as the CLI ($DAXLAB_DB, else the user data directory; docs/store.md).
      dbPath: defaultDbPath(),
      sqliteBinding: process.env.DAXLAB_SQLITE_BINDING ?? (existsSync(paths.sqliteBinding) ? paths.sqliteBinding : undefined),
    })
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
