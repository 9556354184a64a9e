/**
 * Which frames may call the contract over IPC: the app's own page and nothing else (GitHub Desktop checks
 * `senderFrame.url` on every call; Electron's security checklist item 17). Node only, no electron, so it
 * is testable on its own.
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface AppOrigin {
  /** Absolute path of the built renderer's index.html (out/renderer/index.html). */
  readonly rendererIndex: string
  /** The Vite dev server URL (`ELECTRON_RENDERER_URL`) under `electron-vite dev`; unset in a build. */
  readonly devServerUrl?: string
}

export type SenderCheck = (url: string) => boolean

export function appSenderCheck(origin: AppOrigin): SenderCheck {
  const index = resolve(origin.rendererIndex)
  const devOrigin = origin.devServerUrl ? new URL(origin.devServerUrl).origin : undefined
  return (url: string): boolean => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return false
    }
    if (parsed.protocol === 'file:') {
      // The page is a single document: only index.html itself (any #hash or ?query) is trusted.
      if (parsed.host !== '') return false
      parsed.hash = ''
      parsed.search = ''
      return resolve(fileURLToPath(parsed)) === index
    }
    return devOrigin !== undefined && (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.origin === devOrigin
  }
}
