/** What an operation reports back to the scheduler. */
import type { ProbeResult, StepExtras } from '../result'

export type OpOutcome =
  | {
      readonly status: 'ok'
      readonly signal?: string
      /** si_code of the signal where the kernel sets a specific one (SEGV_ACCERR, BUS_MCEERR_AR). */
      readonly si_code?: string
      readonly probe?: ProbeResult
      readonly message?: string
      readonly extra?: StepExtras
    }
  | { readonly status: 'error'; readonly error: string; readonly message: string; readonly extra?: StepExtras }
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

/**
 * Runs `next` after `first` completes: at once, or, if `first` blocked, when its resume completes. An
 * error ends the chain. Compound operations (exit evicting several files, umount evicting each inode)
 * are built from this.
 */
export function andThen(first: OpOutcome, next: () => OpOutcome): OpOutcome {
  if (first.status === 'blocked') return { ...first, resume: () => andThen(first.resume(), next) }
  if (first.status === 'error') return first
  return next()
}
