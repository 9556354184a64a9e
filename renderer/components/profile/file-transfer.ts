/**
 * Import and export of YAML files from the page. An `<input type="file">` opens the system's file
 * chooser (in Electron the main process shows the native dialog; in a browser it is an upload), and a
 * download link saves a file (Electron asks where with its save dialog; a browser downloads it). The
 * page never gets a path, only the text.
 */
export const MAX_IMPORT_BYTES = 16 * 2 ** 20

export async function readChosenFile(input: HTMLInputElement): Promise<{ name: string; text: string } | { name: string; error: string } | undefined> {
  const file = input.files?.[0]
  input.value = '' // choosing the same file again fires change again
  if (!file) return undefined
  if (file.size > MAX_IMPORT_BYTES) return { name: file.name, error: `${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MiB: at most ${MAX_IMPORT_BYTES / 2 ** 20} MiB` }
  return { name: file.name, text: await file.text() }
}

export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }))
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.rel = 'noopener'
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}
