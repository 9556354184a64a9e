/**
 * The traces view: an ftrace log imported as a run, its progress (bytes and rate, polled with
 * runProgress) and Cancel, then the check's findings. In Electron the file is chosen in main's native
 * dialog and read by the services from the file itself (importTraceFile, no size cap); in the web
 * transport the page uploads the file its input picked (importTrace, at most 24 MiB). Opening a finding selects
 * the imported run in the Runs view, charts its pfn and puts the event list at the finding's line.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { LabErrorData, RunProgress } from '../../main/contract/api'
import { MAX_TRACE_BASE64_CHARS, type TraceImportOptions as ContractTraceImportOptions, type TraceFindingDto, type TraceImportResult } from '../../main/contract/traces'
import { getLabApi, labErrorOf } from '../api'
import { getLabFiles } from '../api/files'
import { whilePolling } from './job-poll'
import { useEventsStore } from './events'
import { useRunViewStore } from './run-view'
import { useRunsStore } from './runs'
import { useUiStore } from './ui'

/** The largest file the page uploads: what MAX_TRACE_BASE64_CHARS of base64 holds (24 MiB). */
export const MAX_TRACE_UPLOAD_BYTES = (MAX_TRACE_BASE64_CHARS / 4) * 3

export type TraceImportOptions = Omit<ContractTraceImportOptions, 'jobId'>

export interface TraceProgress extends RunProgress {
  /** Bytes a second since the upload started (after a native dialog: since the first progress). */
  readonly rate: number
}

export const useTracesStore = defineStore('traces', () => {
  const importing = ref(false)
  const progress = ref<TraceProgress>()
  const result = ref<TraceImportResult>()
  const error = ref<LabErrorData>()
  let jobCounter = 0

  /** True while main's native dialog is open (Electron): no progress to show yet. */
  const choosing = ref(false)

  /**
   * Runs one import with a fresh jobId, polling its progress. `call` answers undefined when the user
   * closed the dialog: then nothing changes (the last result and error stay as they were).
   */
  async function runImport(call: (jobId: string) => Promise<TraceImportResult | undefined>, pollMs: number, afterDialog: boolean): Promise<TraceImportResult | undefined> {
    importing.value = true
    const jobId = `trace-${Date.now().toString(36)}-${++jobCounter}`
    // An upload's rate counts from the call; after a dialog (open for as long as the user likes) it
    // counts from the first progress seen.
    let base = afterDialog ? undefined : { at: Date.now(), done: 0 }
    const api = getLabApi()
    try {
      const out = await whilePolling(
        api,
        jobId,
        pollMs,
        (p) => {
          choosing.value = false
          base ??= { at: Date.now(), done: p.done }
          const seconds = (Date.now() - base.at) / 1000
          progress.value = { ...p, rate: seconds > 0 ? (p.done - base.done) / seconds : 0 }
        },
        () => call(jobId),
      )
      if (!out) return undefined
      error.value = undefined
      result.value = out
      await useRunsStore().refresh()
      return out
    } catch (err) {
      result.value = undefined
      error.value = labErrorOf(err)
      return undefined
    } finally {
      importing.value = false
      choosing.value = false
      progress.value = undefined
    }
  }

  /** Uploads `data` (base64 of the file) and imports it; returns the answer, or undefined on an error (in `error`). */
  async function importTrace(data: string, fileName: string, options: TraceImportOptions, pollMs = 200): Promise<TraceImportResult | undefined> {
    error.value = undefined
    result.value = undefined
    return runImport((jobId) => getLabApi().importTrace({ data, fileName, jobId, ...options }), pollMs, false)
  }

  /** Electron: main's native dialog picks the file and the services import it from there. Undefined on Cancel (nothing changes) or an error (in `error`). */
  async function importTraceFile(options: TraceImportOptions, pollMs = 200): Promise<TraceImportResult | undefined> {
    const pick = getLabFiles().importTraceFile
    if (!pick) return undefined
    choosing.value = true
    return runImport((jobId) => pick({ ...options, jobId }), pollMs, true)
  }

  async function cancel(): Promise<void> {
    const job = progress.value
    if (!job) return
    try {
      await getLabApi().cancelRun({ jobId: job.jobId })
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  /** The imported run in the Runs view: its pfn charted and the event list at the finding's line. */
  async function openFinding(finding: TraceFindingDto | undefined): Promise<void> {
    const runId = result.value?.runId
    if (runId === undefined) return
    const ui = useUiStore()
    ui.show('runs')
    await useRunsStore().select(runId)
    if (!finding) return
    const view = useRunViewStore()
    if (finding.pfn !== '-') await view.chartFolio(finding.pfn)
    view.focusStep(finding.line)
    try {
      // The importer's step is the trace line: the first event of that line, if the line made one.
      const [event] = await getLabApi().getEvents({ id: runId, step: finding.line, limit: 1 })
      if (event) await useEventsStore().focusEvent(event.seq)
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  function refuse(message: string, field = 'data'): void {
    error.value = { code: 'invalid_request', field, message }
  }

  function clearError(): void {
    error.value = undefined
  }

  /** Whether this transport picks trace files in main's native dialog (Electron). */
  function nativeDialog(): boolean {
    return getLabFiles().importTraceFile !== undefined
  }

  return { importing, choosing, progress, result, error, importTrace, importTraceFile, nativeDialog, cancel, openFinding, refuse, clearError }
})
