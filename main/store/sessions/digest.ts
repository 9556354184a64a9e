/**
 * Content digests of a run, so a diff can tell two runs equal without decoding them (docs/sessions.md).
 *
 * The events digest does not depend on how the log was cut into chunks: each column's bytes are hashed
 * on their own, in the chunk format's column order, fed chunk by chunk (or all at once from the engine's
 * log), and the nine column digests, the event count and the string tables are hashed together. So the
 * sweep's worker (which holds the engine's log) and a reader of stored chunks get the same value.
 * Bytes are hashed in host order; every supported host is little-endian, as the chunks on disk are.
 */
import { createHash, type Hash } from 'node:crypto'
import type { EventColumns } from '../../sim/events'
import type { RunResult } from '../../sim/result'
import { canonicalJson, sha256 } from '../result-codec'

const COLUMN_ORDER = ['entry', 'pfn', 'before', 'after', 'step', 'task', 'cause', 'kind', 'level'] as const

export class EventsDigest {
  private readonly hashes: Hash[] = COLUMN_ORDER.map(() => createHash('sha256'))
  private count = 0

  /** Adds the next events of the log, in order. */
  add(cols: EventColumns): void {
    COLUMN_ORDER.forEach((name, i) => {
      const a = cols[name]
      this.hashes[i]!.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    })
    this.count += cols.count
  }

  finish(tasks: readonly string[], causes: readonly string[]): string {
    const h = createHash('sha256').update(`daxlab-events/1 ${this.count}\n`)
    for (const column of this.hashes) h.update(column.digest('hex'))
    return h.update(JSON.stringify([tasks, causes])).digest('hex')
  }
}

export function eventsDigest(cols: EventColumns, tasks: readonly string[], causes: readonly string[]): string {
  const d = new EventsDigest()
  d.add(cols)
  return d.finish(tasks, causes)
}

export function resultDigest(result: RunResult): string {
  return sha256(canonicalJson(result))
}

export interface RunDigests {
  readonly result: string
  readonly events: string
}
