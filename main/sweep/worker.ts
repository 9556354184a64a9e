/** The pool worker's entry (built as dist/cli/sweep-worker.js): one batch of combinations per task. */
import { threadId } from 'node:worker_threads'
import Tinypool from 'tinypool'
import { transferablesOf } from '../store/prepared-run'
import { runBatch, type BatchOutput, type BatchTask } from './batch'
import { threadCpu } from './thread-cpu'

export default function run(task: BatchTask): BatchOutput {
  const done = runBatch(task, true)
  const cpu = threadCpu()
  const out: BatchOutput = { ...done, ...(cpu ? { worker: { threadId, cpu } } : {}) }
  // Moved, not copied: each packed chunk owns its buffer and the worker never reads it again. Tinypool
  // posts `valueSymbol` with `transferableSymbol` as the transfer list of a value marked by move().
  const movable = { [Tinypool.transferableSymbol]: out.runs.flatMap((r) => transferablesOf(r.prepared)), [Tinypool.valueSymbol]: out }
  return Tinypool.move(movable as never) as unknown as BatchOutput
}
