/**
 * One sha256 over everything a run produces: every event column (the bytes the store packs), the task
 * and cause string tables, and the result JSON. Two runs with the same hash wrote byte-identical traces,
 * which is how the golden test proves an engine change kept behaviour.
 */
import { createHash } from 'node:crypto'
import type { RunOutput } from '../../../main/sim/run'

const COLUMNS = ['step', 'task', 'kind', 'level', 'pfn', 'before', 'after', 'entry', 'cause'] as const

export function traceHash(output: RunOutput): string {
  const hash = createHash('sha256')
  const cols = output.trace.events.columns()
  hash.update(`events ${cols.count}\n`)
  for (const name of COLUMNS) {
    const col = cols[name]
    if (col.length !== cols.count) throw new Error(`column ${name} holds ${col.length} events, the log claims ${cols.count}`)
    hash.update(name)
    hash.update(new Uint8Array(col.buffer, col.byteOffset, col.byteLength))
  }
  hash.update(JSON.stringify(output.trace.events.tasks))
  hash.update(JSON.stringify(output.trace.events.causes))
  hash.update(JSON.stringify(output.result))
  return hash.digest('hex')
}
