/**
 * The traces view: an ftrace log uploaded and imported as a run (importTrace), its progress (bytes
 * and rate, polled with runProgress) and Cancel, then the check's findings. Opening a finding selects
 * the imported run in the Runs view, charts its pfn and puts the event list at the finding's line.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import type { LabErrorData, RunProgress } from '../../main/contract/api'
import { MAX_TRACE_BASE64_CHARS, type TraceFindingDto, type TraceImportResult } from '../../main/contract/traces'
import { getLabApi, labErrorOf } from '../api'
import { whilePolling } from './job-poll'
import { useEventsStore } from './events'
import { useRunViewStore } from './run-view'
import { useRunsStore } from './runs'
import { useUiStore } from './ui'

/** The largest file the page uploads: what MAX_TRACE_BASE64_CHARS of base64 holds (24 MiB). */
export const MAX_TRACE_UPLOAD_BYTES = (MAX_TRACE_BASE64_CHARS / 4) * 3

export interface TraceImportOptions {
  readonly name?: string
  readonly session?: string
  readonly kernel?: string
  readonly arch?: string
  readonly fsdaxPfns?: string
}

export interface TraceProgress extends RunProgress {
  /** Bytes a second since the upload started. */
  readonly rate: number
}

export const useTracesStore = defineStore('traces', () => {
  const importing = ref(false)
  const progress = ref<TraceProgress>()
  const result = ref<TraceImportResult>()
  const error = ref<LabErrorData>()
  let jobCounter = 0

  /** Uploads `data` (base64 of the file) and imports it; returns the answer, or undefined on an error (in `error`). */
  async function importTrace(data: string, fileName: string, options: TraceImportOptions, pollMs = 200): Promise<TraceImportResult | undefined> {
    error.value = undefined
    result.value = undefined
    importing.value = true
    const jobId = `trace-${Date.now().toString(36)}-${++jobCounter}`
    const started = Date.now()
    const api = getLabApi()
    try {
      const out = await whilePolling(
        api,
        jobId,
        pollMs,
        (p) => {
          progress.value = { ...p, rate: p.done / Math.max((Date.now() - started) / 1000, 1e-3) }
        },
        () => api.importTrace({ data, fileName, jobId, ...options }),
      )
      result.value = out
      await useRunsStore().refresh()
      return out
    } catch (err) {
      error.value = labErrorOf(err)
      return undefined
    } finally {
      importing.value = false
      progress.value = undefined
    }
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

  return { importing, progress, result, error, importTrace, cancel, openFinding, refuse, clearError }
})
