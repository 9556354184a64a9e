/** What an operation reports back to the scheduler. */
import type { ProbeResult } from '../result'

export type OpOutcome =
  | { readonly status: 'ok'; readonly signal?: string; readonly probe?: ProbeResult; readonly message?: string }
  | { readonly status: 'error'; readonly error: string; readonly message: string }
  | {
      readonly status: 'blocked'
      /** Folio head whose wake_up_var() makes the task re-check (and resume if the condition holds). */
      readonly waitOn: number
      readonly reason: string
      readonly interruptible: boolean
      /** Re-checks the wait condition and continues the operation from where it blocked. */
      readonly resume: () => OpOutcome
    }

export const OK: OpOutcome = { status: 'ok' }
