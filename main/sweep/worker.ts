/** The pool worker's entry (built as dist/cli/sweep-worker.js): one combination per task. */
import Tinypool from 'tinypool'
import { transferablesOf } from '../store/prepared-run'
import { runCombination, type CombinationOutput, type CombinationTask } from './combination'

export default function run(task: CombinationTask): CombinationOutput {
  const out = runCombination(task, true)
  // Moved, not copied: each packed chunk owns its buffer and the worker never reads it again. Tinypool
  // posts `valueSymbol` with `transferableSymbol` as the transfer list of a value marked by move().
  const movable = { [Tinypool.transferableSymbol]: transferablesOf(out.prepared), [Tinypool.valueSymbol]: out }
  return Tinypool.move(movable as never) as unknown as CombinationOutput
}
