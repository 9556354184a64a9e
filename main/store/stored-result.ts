/**
 * A run's RunResult read straight from a database in the store's schema (the store itself or an
 * opened archive), whatever layout the run was saved in: layout 1 keeps the result whole; layout 2
 * (schema 3+) keeps steps and violations packed in run_records (docs/store.md "Run layouts"). The
 * session diff, digests and exporters read runs this way, so they see what `getRun` returns.
 */
import type Database from 'better-sqlite3'
import type { RunResult } from '../sim/result'
import { unpackRecords } from './record-codec'
import { decodeResult } from './result-codec'

export function readStoredResult(db: Database.Database, runId: number): RunResult {
  const hasLayout = (db.prepare(`SELECT 1 FROM pragma_table_info('runs') WHERE name = 'layout'`).pluck().get() as number | undefined) !== undefined
  const row = db.prepare(`SELECT result_codec, result${hasLayout ? ', layout' : ', 1 AS layout'} FROM runs WHERE id = ?`).get(runId) as
    | { result_codec: string; result: string | Buffer; layout: number }
    | undefined
  if (!row) throw new Error(`run ${runId} is not in this database`)
  const result = decodeResult(row.result_codec, row.result)
  if (row.layout === 1) return result
  const records = (kind: 'steps' | 'violations'): object[] => {
    const out: object[] = []
    const chunks = db.prepare('SELECT data FROM run_records WHERE run_id = ? AND kind = ? ORDER BY chunk_no').pluck().iterate(runId, kind) as IterableIterator<Buffer>
    for (const data of chunks) for (const r of unpackRecords(data)) out.push(r)
    return out
  }
  return Object.assign(result, { steps: records('steps'), violations: records('violations') }) as RunResult
}
