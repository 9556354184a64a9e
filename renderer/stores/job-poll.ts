/**
 * Polling a backend job while its call is in flight: a run or a sweep started with a `jobId` answers
 * runProgress between its slices, and cancelRun stops it. Shared by the runs, compare and sessions stores.
 */
import type { Ref } from 'vue'
import type { LabApi, LabErrorData, RunProgress } from '../../main/contract/api'
import { labErrorOf } from '../api'

/** Calls `work()`, and every `pollMs` until it settles hands each known progress of `jobId` to `onProgress`. */
export async function whilePolling<T>(api: LabApi, jobId: string, pollMs: number, onProgress: (p: RunProgress) => void, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => {
    api.runProgress({ jobId }).then(
      (p) => {
        if (p.state !== 'unknown') onProgress(p)
      },
      () => undefined,
    )
  }, pollMs)
  try {
    return await work()
  } finally {
    clearInterval(timer)
  }
}

/**
 * Asks the backend to stop the job `progress` follows (a run, a sweep, a leg of "run and compare"). The
 * job may end (and its store clear `progress`) while the cancel is on its way: the answer is kept only
 * if it is still the same job. A failed call is put in `error`. `progress` is any writable ref: a
 * store whose progress sits inside a larger state passes a writable computed over it.
 */
export async function cancelJob(api: LabApi, progress: Ref<RunProgress | undefined>, error: Ref<LabErrorData | undefined>): Promise<void> {
  const job = progress.value
  if (!job) return
  try {
    const answer = await api.cancelRun({ jobId: job.jobId })
    if (progress.value?.jobId === job.jobId) progress.value = answer
  } catch (err) {
    error.value = labErrorOf(err)
  }
}
