/**
 * The main process's file calls to the services' process (main/services/session-files.ts does the
 * archives, main/services/traces.ts the trace import): their request schemas, answers and names. Each
 * carries a path main's native dialog chose; they are not lab methods, so neither the page's IPC nor the
 * web bridge can reach them (docs/adr/0021, 0024). Apart from session-files.ts so the Electron main
 * bundle (service-host.ts) can name them without loading the store. Node layer (node:path), no electron.
 */
import { isAbsolute } from 'node:path'
import { z } from 'zod'
import type { ImportedTraceFile, SavedArchive } from '../contract/files'
import { sessionName, type ImportedArchive } from '../contract/sessions'
import { traceImportOptionsShape } from '../contract/traces'

const absolutePath = z.string().min(1).max(4096).refine(isAbsolute, 'an absolute path')

/** The main process's requests to the services' process about files (checked again on arrival). */
export const sessionFileSchemas = {
  exportSessionFile: z.object({ name: sessionName, path: absolutePath }).strict(),
  importSessionFile: z.object({ path: absolutePath, as: sessionName.optional() }).strict(),
  importTraceFile: z.object({ path: absolutePath, ...traceImportOptionsShape }).strict(),
} as const

export type SessionFileMethod = keyof typeof sessionFileSchemas
export type SessionFileRequest<M extends SessionFileMethod> = z.output<(typeof sessionFileSchemas)[M]>

export interface SessionFileResponses {
  exportSessionFile: SavedArchive
  importSessionFile: ImportedArchive & { readonly fileName: string }
  importTraceFile: ImportedTraceFile
}

export type SessionFileApi = { [M in SessionFileMethod]: (request: SessionFileRequest<M>) => Promise<SessionFileResponses[M]> }

export const SESSION_FILE_METHODS = Object.keys(sessionFileSchemas) as SessionFileMethod[]

export function isSessionFileMethod(name: unknown): name is SessionFileMethod {
  return typeof name === 'string' && (SESSION_FILE_METHODS as string[]).includes(name)
}

