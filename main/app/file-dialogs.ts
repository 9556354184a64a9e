/**
 * The native open and save dialogs, one generic pair for every kind of file (FILE_KINDS in
 * main/contract/files.ts gives each kind its title, filters and limits). Modal to the window that
 * asked, so a dialog never floats free of the app. Exported for every view that reads or writes a file:
 * add a kind to FILE_KINDS, then call these with it (docs/app.md#files).
 */
import { BrowserWindow, dialog, type WebContents } from 'electron'
import { FILE_KINDS, type FileKindName } from '../contract/files'
import { checkOpenedFile, savePathFor, type OpenedFile } from './chosen-file'

/** The window of the web contents that sent a call, to hold the dialog (undefined: an app-modal one). */
export function windowOf(sender: WebContents | undefined): BrowserWindow | undefined {
  return (sender && BrowserWindow.fromWebContents(sender)) ?? undefined
}

/** Electron wants mutable arrays; FILE_KINDS is frozen data. */
const filtersOf = (kind: FileKindName) => FILE_KINDS[kind].filters.map((f) => ({ name: f.name, extensions: [...f.extensions] }))

/** Asks for one file of `kind` to open; undefined when the user cancels. The file is checked (a regular file within the kind's size limit). */
export async function chooseFileToOpen(kind: FileKindName, parent: BrowserWindow | undefined): Promise<OpenedFile | undefined> {
  const options = { title: FILE_KINDS[kind].title, filters: filtersOf(kind), properties: ['openFile' as const] }
  const answer = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options)
  const path = answer.filePaths[0]
  if (answer.canceled || path === undefined) return undefined
  return checkOpenedFile(path, kind)
}

/** Asks where to save a file of `kind`, offering `suggestedName`; undefined when the user cancels. */
export async function chooseFileToSave(kind: FileKindName, parent: BrowserWindow | undefined, suggestedName: string): Promise<string | undefined> {
  const options = { title: FILE_KINDS[kind].title, defaultPath: suggestedName, filters: filtersOf(kind) }
  const answer = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options)
  if (answer.canceled || !answer.filePath) return undefined
  return savePathFor(answer.filePath, kind)
}
