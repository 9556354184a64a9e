/**
 * The file actions over the web transport: a file chooser (an `<input type="file">`, the browser's
 * upload) and a download (a Blob behind `<a download>`). The page reads the chosen file itself and sends
 * its text or bytes (base64) through the contract; it never sees a path.
 */
import type { LabApi } from '../../main/contract/api'
import { LabError } from '../../main/contract/envelope'
import { FILE_KINDS, type FileKind, type FileKindName } from '../../main/contract/files'
import { profileYaml } from '../../main/formats/profile-yaml'
import type { LabFiles } from './files'

export function base64ToBytes(data: string): Uint8Array<ArrayBuffer> {
  const text = atob(data)
  const bytes = new Uint8Array(new ArrayBuffer(text.length))
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i)
  return bytes
}

export function bytesToBase64(bytes: Uint8Array): string {
  // In slices: String.fromCharCode with millions of arguments would overflow the stack.
  let text = ''
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(text)
}

/** A chosen file's bytes as base64, the way the contract carries an upload (importSession, importTrace). */
export async function readFileBase64(file: Blob): Promise<string> {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()))
}

/** Offers `blob` as a download named `fileName` (the browser asks where, or saves to its folder). */
function download(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.rel = 'noopener'
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/**
 * Opens the browser's file chooser for `kind`; the file, or undefined when the chooser is closed.
 * The input is added to the page while it is open (hidden), so the chooser belongs to this document.
 */
function chooseFile(kind: FileKindName): Promise<File | undefined> {
  const input = document.createElement('input')
  input.type = 'file'
  input.accept = FILE_KINDS[kind].filters.flatMap((f) => f.extensions.map((e) => `.${e}`)).join(',')
  input.hidden = true
  input.dataset.fileKind = kind
  document.body.append(input)
  return new Promise((resolve) => {
    const done = (file: File | undefined) => {
      input.remove()
      resolve(file)
    }
    input.addEventListener('change', () => done(input.files?.[0]), { once: true })
    input.addEventListener('cancel', () => done(undefined), { once: true })
    input.click()
  })
}

/** The size check main makes on a file its dialog opened (main/app/chosen-file.ts), in the page. */
function checkSize(file: File, kind: FileKindName): void {
  const { maxBytes: max, title }: FileKind = FILE_KINDS[kind]
  if (max !== undefined && file.size > max) {
    throw new LabError({ code: 'invalid_request', field: 'file', message: `${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MiB: a ${title.toLowerCase()} file is at most ${max / 2 ** 20} MiB` })
  }
}

/** `api` is read at each call, so a page (or a test) that replaces the API with setLabApi is followed. */
export function createWebFiles(api: () => LabApi): LabFiles {
  return {
    async importProfileFile() {
      const file = await chooseFile('profile')
      if (!file) return undefined
      checkSize(file, 'profile')
      return { fileName: file.name, text: await file.text() }
    },
    async exportProfileFile(profile) {
      const text = profileYaml(profile)
      const blob = new Blob([text], { type: 'application/yaml' })
      const fileName = `${profile.name || 'profile'}.yaml`
      download(fileName, blob)
      return { fileName, bytes: blob.size }
    },
    async exportArchive(name) {
      const { data, ...archive } = await api().exportSession({ name })
      download(archive.fileName, new Blob([base64ToBytes(data)], { type: 'application/vnd.sqlite3' }))
      return archive
    },
    async importArchive(as) {
      const file = await chooseFile('archive')
      if (!file) return undefined
      const data = await readFileBase64(file)
      const out = await api().importSession({ data, fileName: file.name, ...(as !== undefined ? { as } : {}) })
      return { ...out, fileName: file.name }
    },
  }
}
