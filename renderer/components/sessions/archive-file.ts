/**
 * Archives in the page: an exported archive offered as a download (a Blob behind an <a download>,
 * so the browser's own save dialog picks the place; in Electron that dialog is the main process's),
 * and an uploaded file read into base64 for importSession. No path is ever seen by the page.
 */

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

export function offerDownload(fileName: string, data: string): void {
  const url = URL.createObjectURL(new Blob([base64ToBytes(data)], { type: 'application/vnd.sqlite3' }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

export async function readFileBase64(file: Blob): Promise<string> {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()))
}
