/**
 * Just enough of a document for renderer/api/web-files.ts in Node: an `<input type="file">` whose
 * click() "chooses" the next file a test queued (or cancels), and `<a download>` links whose click()
 * records the download with its Blob. So the web file actions run for real, without a browser.
 */
import { afterEach, beforeEach, vi } from 'vitest'

export interface FakeFileDom {
  /** The file the next chooser picks; undefined: the chooser is closed without a file. */
  choose(file: File | undefined): void
  readonly downloads: { fileName: string; blob: Blob }[]
  /** The accept attribute of each chooser opened. */
  readonly accepts: string[]
}

export function useFakeFileDom(): FakeFileDom {
  const state = { next: undefined as File | undefined, downloads: [] as { fileName: string; blob: Blob }[], accepts: [] as string[] }
  const blobs = new Map<string, Blob>()
  let n = 0
  const element = (tag: string) => {
    const listeners = new Map<string, () => void>()
    const el = {
      type: '',
      accept: '',
      hidden: false,
      dataset: {} as Record<string, string>,
      href: '',
      download: '',
      rel: '',
      files: undefined as File[] | undefined,
      addEventListener: (name: string, fn: () => void) => listeners.set(name, fn),
      remove: () => undefined,
      click() {
        if (tag === 'a') {
          state.downloads.push({ fileName: el.download, blob: blobs.get(el.href)! })
          return
        }
        state.accepts.push(el.accept)
        const file = state.next
        state.next = undefined
        queueMicrotask(() => {
          if (file) {
            el.files = [file]
            listeners.get('change')?.()
          } else listeners.get('cancel')?.()
        })
      },
    }
    return el
  }
  beforeEach(() => {
    state.downloads.length = 0
    state.accepts.length = 0
    vi.stubGlobal('document', { createElement: element, body: { append: () => undefined } })
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      const url = `blob:fake/${++n}`
      blobs.set(url, blob as Blob)
      return url
    })
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
  })
  return {
    choose: (file) => (state.next = file),
    downloads: state.downloads,
    accepts: state.accepts,
  }
}
