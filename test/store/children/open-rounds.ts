/**
 * Child of the new-store race test: on each `{ round, file }` message from the parent, opens the
 * (new) store at `file`, lists its runs, closes it and replies `{ round, error? }`.
 */
import { TraceStore } from '../../../main/store/trace-store'

process.on('message', (msg: { round: number; file: string } | 'exit') => {
  if (msg === 'exit') process.exit(0)
  let error: string | undefined
  try {
    const store = TraceStore.open(msg.file)
    store.listRuns()
    store.close()
  } catch (e) {
    error = e instanceof Error ? e.message : String(e)
  }
  process.send!({ round: msg.round, ...(error !== undefined ? { error } : {}) })
})
process.send!('ready')
