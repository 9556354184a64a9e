/**
 * The sessions view: the session list with states and counts, the session opened, a sweep in flight
 * (progress polled with runProgress, stopped with cancelRun), archive export and import (through
 * renderer/api/files.ts: Electron's dialogs with main doing the file, or a download and an upload; the
 * page never holds a path), and the session diff. Backend calls only inside actions, through renderer/api.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import type { LabErrorData, LabRequest, RunProgress } from '../../main/contract/api'
import type { ImportedArchiveFile, SavedArchive } from '../../main/contract/files'
import type { SessionDetail, SessionDiffView, SessionSummaryDto, SweepOutcome } from '../../main/contract/sessions'
import { getLabApi, labErrorOf } from '../api'
import { getLabFiles } from '../api/files'
import { cancelJob, whilePolling } from './job-poll'

export const useSessionsStore = defineStore('sessions', () => {
  const sessions = shallowRef<SessionSummaryDto[]>([])
  const selected = ref<string>()
  const detail = shallowRef<SessionDetail>()
  const error = ref<LabErrorData>()
  const sweeping = ref(false)
  const progress = shallowRef<RunProgress>()
  const lastSweep = shallowRef<SweepOutcome>()
  /** The last import's one-line outcome (as `daxlab sessions import` prints it). */
  const notice = ref<string>()
  /** The last archive exported: its file name, runs, bytes and checksum. */
  const exported = shallowRef<SavedArchive>()
  const diff = shallowRef<SessionDiffView>()
  const diffing = ref(false)

  let token = 0
  let jobCounter = 0

  async function refresh(): Promise<void> {
    try {
      sessions.value = await getLabApi().listSessions(undefined)
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  async function select(name: string | undefined): Promise<void> {
    const mine = ++token
    selected.value = name
    detail.value = undefined
    if (name === undefined) return
    try {
      const answer = await getLabApi().getSession({ name })
      if (mine === token) detail.value = answer
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    }
  }

  /** Runs a sweep to its end (or its cancel), polling progress; then lists it and opens it. */
  async function runSweep(request: Omit<LabRequest<'runSweep'>, 'jobId'>, pollMs = 200): Promise<SweepOutcome | undefined> {
    const api = getLabApi()
    const jobId = `sweep-${Date.now().toString(36)}-${++jobCounter}`
    sweeping.value = true
    error.value = undefined
    progress.value = { jobId, state: 'running', done: 0, total: 0 }
    try {
      const outcome = await whilePolling(
        api,
        jobId,
        pollMs,
        (p) => {
          if (progress.value?.jobId === jobId) progress.value = p
        },
        () => api.runSweep({ ...request, jobId }),
      )
      lastSweep.value = outcome
      await refresh()
      await select(outcome.session)
      return outcome
    } catch (err) {
      error.value = labErrorOf(err)
      return undefined
    } finally {
      sweeping.value = false
      progress.value = undefined
    }
  }

  async function cancelSweep(): Promise<void> {
    await cancelJob(getLabApi(), progress, error)
  }


  /** Saves the session's archive where the user picks (Electron's dialog, or a download); undefined when cancelled. */
  async function exportArchive(name: string): Promise<SavedArchive | undefined> {
    error.value = undefined
    try {
      const out = await getLabFiles().exportArchive(name)
      if (out) exported.value = out
      return out
    } catch (err) {
      error.value = labErrorOf(err)
      return undefined
    }
  }

  /** Asks for an archive (Electron's dialog, or an upload) and imports it; undefined when cancelled or refused. */
  async function importArchive(as?: string): Promise<ImportedArchiveFile | undefined> {
    error.value = undefined
    notice.value = undefined
    // The chooser opens before the first await: a browser shows it only during the click.
    const chosen = getLabFiles().importArchive(as)
    try {
      const out = await chosen
      if (!out) return undefined
      notice.value = out.message
      await refresh()
      return out
    } catch (err) {
      error.value = labErrorOf(err)
      return undefined
    }
  }

  async function diffSessions(a: string, b: string): Promise<SessionDiffView | undefined> {
    diffing.value = true
    diff.value = undefined
    error.value = undefined
    try {
      diff.value = await getLabApi().diffSessions({ a, b })
      return diff.value
    } catch (err) {
      error.value = labErrorOf(err)
      return undefined
    } finally {
      diffing.value = false
    }
  }

  function clearError(): void {
    error.value = undefined
  }

  return { sessions, selected, detail, error, sweeping, progress, lastSweep, notice, exported, diff, diffing, refresh, select, runSweep, cancelSweep, exportArchive, importArchive, diffSessions, clearError }
})
