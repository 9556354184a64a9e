/**
 * The page's file actions, one method each, whatever the transport (docs/app.md#files). In
 * Electron each is one call to main (`window.labFiles`): main shows the native dialog and reads or
 * writes the file itself, so no path and no archive bytes cross IPC. Over the web transport they are an
 * upload or a download (web-files.ts). Every method answers undefined when the user cancels, and
 * rejects with a LabError (`.data.field` names the bad field) when the file is refused.
 *
 * The pickers must be started from a click handler (a browser opens a file chooser only on a user
 * gesture): call them first thing in the action, before any await.
 */
import type { Canceled, ImportedArchiveFile, ImportedTraceFile, LabFilesBridge, OpenedText, SavedArchive, SavedFile } from '../../main/contract/files'
import type { TraceImportOptions } from '../../main/contract/traces'
import type { ProfileInput } from '../../main/formats/profile'
import { unwrapResult } from '../../main/contract/envelope'
import { getLabApi } from './index'
import { createWebFiles } from './web-files'

export interface LabFiles {
  /** Asks for a profile file (YAML or JSON); its name and text. */
  importProfileFile(): Promise<OpenedText | undefined>
  /** Saves the profile as YAML with units (what Save stores). */
  exportProfileFile(profile: ProfileInput): Promise<SavedFile | undefined>
  /** Saves the session's archive (`daxlab sessions export`). */
  exportArchive(name: string): Promise<SavedArchive | undefined>
  /** Asks for an archive and imports it, optionally under another name (`daxlab sessions import`). */
  importArchive(as?: string): Promise<ImportedArchiveFile | undefined>
  /**
   * Electron only: asks for a trace file in main's native dialog and has the services import it from
   * there (streamed, no upload cap; progress and cancel with `jobId`). Absent in the web transport,
   * where the Traces view uploads the file its input picked (importTrace, at most 24 MiB).
   */
  readonly importTraceFile?: (options: TraceImportOptions) => Promise<ImportedTraceFile | undefined>
}

/** The preload's envelope-returning file methods as LabFiles: a cancelled dialog becomes undefined. */
export function fromFilesBridge(bridge: LabFilesBridge): LabFiles {
  const settled = <T extends { canceled?: false }>(answer: T | Canceled): T | undefined => (answer.canceled === true ? undefined : answer)
  return {
    async importProfileFile() {
      return settled(unwrapResult(await bridge.importProfileFile(undefined)))
    },
    async exportProfileFile(profile) {
      return settled(unwrapResult(await bridge.exportProfileFile({ profile })))
    },
    async exportArchive(name) {
      return settled(unwrapResult(await bridge.exportArchiveFile({ name })))
    },
    async importArchive(as) {
      return settled(unwrapResult(await bridge.importArchiveFile(as !== undefined ? { as } : undefined)))
    },
    async importTraceFile(options) {
      return settled(unwrapResult(await bridge.importTraceFile(options)))
    },
  }
}

let current: LabFiles | undefined

export function getLabFiles(): LabFiles {
  const bridge = (globalThis as { labFiles?: LabFilesBridge }).labFiles
  current ??= bridge ? fromFilesBridge(bridge) : createWebFiles(getLabApi)
  return current
}

/** Replaces the file actions (tests); undefined resets. */
export function setLabFiles(files: LabFiles | undefined): void {
  current = files
}
