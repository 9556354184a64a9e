/**
 * Polling a backend job while its call is in flight: a run or a sweep started with a `jobId` answers
 * runProgress between its slices. Shared by the runs, compare and sessions stores.
 */
import type { LabApi, RunProgress } from '../../main/contract/api'

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
