import type { LabBridge } from '../main/contract/envelope'
import type { LabFilesBridge } from '../main/contract/files'

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the page is served by the web bridge. */
    readonly lab?: LabBridge
    /** Set by the Electron preload: the file dialogs main shows (main/app/file-ipc.ts). */
    readonly labFiles?: LabFilesBridge
  }
}

export {}
