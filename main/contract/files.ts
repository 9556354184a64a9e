/**
 * Files the desktop app reads and writes for the page (docs/app.md#files): the kinds of file with their
 * dialog filters and size limits, and the file methods the Electron preload offers beside the lab
 * contract. In these calls the main process shows the native dialog and reads or writes the file itself
 * (or has the services' process do it), so the page never sends or sees a path and an archive's bytes
 * never cross IPC. The web transport does the same actions as a download and an upload
 * (renderer/api/files.ts). Pure: types, zod schemas and constants only.
 */
import { z } from 'zod'
import { profileSchema } from '../formats/profile'
import { MAX_SOURCE_CHARS, type LabErrorData } from './api'
import { sessionName, type ImportedArchive } from './sessions'
import { traceImportOptionsShape, type TraceImportResult } from './traces'

/** How a dialog narrows the files it lists (Electron's FileFilter shape). */
export interface FileFilter {
  readonly name: string
  readonly extensions: readonly string[]
}

export interface FileKind {
  /** The dialog's title. */
  readonly title: string
  readonly filters: readonly FileFilter[]
  /** The extension a saved file gets when the user types a name without one. */
  readonly extension: string
  /** The largest file read; undefined: the format's reader checks the file (an archive, by its SQLite header). */
  readonly maxBytes?: number
}

/**
 * Every kind of file a dialog opens or saves. To add one: an entry here (filters, extension, size
 * limit), then main/app/file-dialogs.ts chooseFileToOpen(kind) / chooseFileToSave(kind) give its path.
 */
export const FILE_KINDS = {
  profile: {
    title: 'Hardware profile',
    filters: [{ name: 'Hardware profile (YAML or JSON)', extensions: ['yaml', 'yml', 'json'] }],
    extension: 'yaml',
    // The longest text parseProfile takes (its `text` field), counted as bytes: at most that many characters.
    maxBytes: MAX_SOURCE_CHARS,
  },
  archive: {
    title: 'Session archive',
    filters: [{ name: 'DAX Refcount Lab session archive', extensions: ['daxlab'] }],
    extension: 'daxlab',
  },
  trace: {
    title: 'Trace file',
    // Traces are saved under any name (`cat trace_pipe > dax.trace`), so "any file" is offered too.
    filters: [
      { name: 'ftrace text (tracefs trace, trace-cmd report; gzip or xz)', extensions: ['txt', 'log', 'trace', 'gz', 'xz'] },
      { name: 'Any file', extensions: ['*'] },
    ],
    extension: 'txt',
    // No size cap: the services stream the import from the file (docs/trace-import.md#memory).
  },
} as const satisfies Record<string, FileKind>

export type FileKindName = keyof typeof FILE_KINDS

/** The session name as a file name: anything but letters, digits, `.`, `_` and `-` becomes `_`. */
export function archiveFileName(session: string): string {
  return `${session.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 120)}.daxlab`
}


export const fileRequestSchemas = {
  /** Shows an open dialog for a profile file and answers its text (Import YAML). */
  importProfileFile: z.object({}).strict().optional(),
  /** Shows a save dialog and writes the profile there as YAML with units (Export YAML). */
  exportProfileFile: z.object({ profile: profileSchema }).strict(),
  /** Shows a save dialog and has the services write the session's archive there. */
  exportArchiveFile: z.object({ name: sessionName }).strict(),
  /** Shows an open dialog and has the services import the archive chosen, optionally under another name. */
  importArchiveFile: z.object({ as: sessionName.optional() }).strict().optional(),
  /**
   * Shows an open dialog for a trace and has the services import it from the file chosen (streamed, no
   * upload cap), with the Traces view's options. No path: main's dialog picks it.
   */
  importTraceFile: z.object(traceImportOptionsShape).strict().optional(),
} as const

export type FileMethod = keyof typeof fileRequestSchemas
export type FileRequest<M extends FileMethod> = z.input<(typeof fileRequestSchemas)[M]>

/** The user closed the dialog: nothing was read or written. */
export interface Canceled {
  readonly canceled: true
}

export interface OpenedText {
  readonly canceled?: false
  /** The file's name without its folder (for messages). */
  readonly fileName: string
  readonly text: string
}

export interface SavedFile {
  readonly canceled?: false
  readonly fileName: string
  readonly bytes: number
}

export interface SavedArchive extends SavedFile {
  readonly runs: number
  readonly checksum: string
}

export interface ImportedArchiveFile extends ImportedArchive {
  readonly canceled?: false
  readonly fileName: string
}

export interface ImportedTraceFile extends TraceImportResult {
  readonly canceled?: false
  readonly fileName: string
}

export interface FileResponses {
  importProfileFile: OpenedText | Canceled
  exportProfileFile: SavedFile | Canceled
  exportArchiveFile: SavedArchive | Canceled
  importArchiveFile: ImportedArchiveFile | Canceled
  importTraceFile: ImportedTraceFile | Canceled
}

export const FILE_METHODS = Object.keys(fileRequestSchemas) as FileMethod[]

/** The file methods' IPC channels: under the contract's `lab:` prefix, in a `file.` namespace of their own. */
export function fileChannelOf(method: FileMethod): string {
  return `lab:file.${method}`
}

/** What the preload exposes as `window.labFiles`: envelopes, as `window.lab`'s methods answer. */
export type LabFilesBridge = {
  [M in FileMethod]: (request: FileRequest<M>) => Promise<{ readonly ok: true; readonly value: FileResponses[M] } | { readonly ok: false; readonly error: LabErrorData }>
}
