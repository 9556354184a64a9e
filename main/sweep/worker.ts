/** The pool worker's entry (built as dist/cli/sweep-worker.js): one combination per task. */
import type { PendingWork } from '../store/sessions/session-store'
import { runCombination, type CombinationOutput } from './combination'

export default function run(work: PendingWork): CombinationOutput {
  return runCombination(work)
}
