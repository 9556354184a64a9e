/**
 * Checks on a path the user picked in a native dialog, before anything reads or writes it: an opened
 * file must be a regular file within its kind's size limit (FILE_KINDS), a saved one gets the kind's
 * extension when the name has none. Node only, no electron, so it is testable on its own.
 */
import { stat } from 'node:fs/promises'
import { basename, extname, isAbsolute } from 'node:path'
import { LabError } from '../contract/envelope'
import { FILE_KINDS, type FileKind, type FileKindName } from '../contract/files'

export interface OpenedFile {
  readonly path: string
  /** The name without its folder: what messages call the file. */
  readonly fileName: string
  readonly size: number
}

const refuse = (message: string) => new LabError({ code: 'invalid_request', field: 'file', message })

export async function checkOpenedFile(path: string, kind: FileKindName): Promise<OpenedFile> {
  const fileName = basename(path)
  if (!isAbsolute(path)) throw refuse(`${fileName}: not an absolute path`)
  let info
  try {
    info = await stat(path)
  } catch (err) {
    throw refuse(`${fileName}: cannot read it: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`)
  }
  if (!info.isFile()) throw refuse(`${fileName}: not a regular file`)
  const { maxBytes: max, title }: FileKind = FILE_KINDS[kind]
  if (max !== undefined && info.size > max) {
    throw refuse(`${fileName} is ${(info.size / 2 ** 20).toFixed(1)} MiB: a ${title.toLowerCase()} file is at most ${max / 2 ** 20} MiB`)
  }
  return { path, fileName, size: info.size }
}

/** Where to save: the path chosen, with the kind's extension added when the name has none. */
export function savePathFor(path: string, kind: FileKindName): string {
  if (!isAbsolute(path)) throw refuse(`${basename(path)}: not an absolute path`)
  return extname(path) === '' ? `${path}.${FILE_KINDS[kind].extension}` : path
}
