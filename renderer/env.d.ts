import type { LabBridge } from '../main/contract/envelope'

declare global {
  interface Window {
    /** Set by the Electron preload; absent when the page is served by the web bridge. */
    readonly lab?: LabBridge
  }
}

export {}
