/**
 * Which frames may call the contract over IPC: the app's own page and nothing else (GitHub Desktop checks
 * `senderFrame.url` on every call; Electron's security checklist item 17). The page is
 * daxlab://app/index.html (main/app/app-protocol.ts), or the Vite dev server under `electron-vite dev`.
 * Node only, no electron, so it is testable on its own.
 */
export interface AppOrigin {
  /** The Vite dev server URL (`ELECTRON_RENDERER_URL`) under `electron-vite dev`; unset in a build. */
  readonly devServerUrl?: string
}

export type SenderCheck = (url: string) => boolean

/** The app page's scheme and host, as app-protocol.ts serves them (kept here so this file needs no electron). */
const APP_PAGE = { protocol: 'daxlab:', host: 'app', paths: ['/', '/index.html'] } as const

export function appSenderCheck(origin: AppOrigin = {}): SenderCheck {
  const devOrigin = origin.devServerUrl ? new URL(origin.devServerUrl).origin : undefined
  return (url: string): boolean => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return false
    }
    if (parsed.protocol === APP_PAGE.protocol) {
      // The page is a single document: only index.html itself (any #hash or ?query) is trusted.
      return parsed.host === APP_PAGE.host && parsed.username === '' && (APP_PAGE.paths as readonly string[]).includes(parsed.pathname)
    }
    return devOrigin !== undefined && (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === devOrigin
  }
}
