/**
 * The main window and the rules every web contents in the app obeys (Electron security checklist):
 * isolated, sandboxed, no Node in the page, no navigation away from the app, no new windows, no <webview>.
 */
import { BrowserWindow, type BrowserWindowConstructorOptions, type WebContents } from 'electron'

export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    title: 'DAX Refcount Lab',
    show: false,
    backgroundColor: '#f6f7f9',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
    },
  }
}

/**
 * The app is one page: every navigation the page starts (links, `location = ...`, in any frame), every
 * new window and every <webview> is refused. Our own loadFile/loadURL do not emit these events.
 */
const lockedDown = new WeakSet<WebContents>()

export function lockDownWebContents(contents: WebContents): void {
  // Called for the main window and again from app 'web-contents-created' (which also covers DevTools
  // and anything else the app might create): register the rules once.
  if (lockedDown.has(contents)) return
  lockedDown.add(contents)
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  contents.on('will-navigate', (event) => event.preventDefault())
  contents.on('will-frame-navigate', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

export type WindowContent = { readonly url: string }

/** The window on `content.url`: daxlab://app/index.html in a build, the Vite dev server under `dev`. */
export function createMainWindow(preloadPath: string, content: WindowContent): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preloadPath))
  lockDownWebContents(win.webContents)
  win.once('ready-to-show', () => win.show())
  void win.loadURL(content.url)
  return win
}
