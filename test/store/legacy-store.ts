/**
 * Builds store files as earlier daxlab versions wrote them: the schema from MIGRATIONS up to a
 * version, and runs inserted the way that version's saveRun did (the whole result as JSON or gzip,
 * one run_steps row per step, one violations row per violation, event chunks without checksums).
 */
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { DEFAULT_CHUNK_EVENTS, packChunk } from '../../main/store/event-codec'
import { canonicalJson } from '../../main/store/result-codec'
import { APPLICATION_ID, migrate } from '../../main/store/schema'
import type { SaveRunInput } from '../../main/store/types'

const sha = (text: string) => createHash('sha256').update(text).digest('hex')

/** A new file at schema `version` (1 or 2) holding `runs`, saved as that version's saveRun did. Returns their ids. */
export function writeLegacyStore(file: string, version: 1 | 2, runs: readonly SaveRunInput[]): number[] {
  const db = new Database(file)
  try {
    db.pragma('page_size = 8192')
    db.pragma('journal_mode = WAL')
    migrate(db, version)
    if (db.pragma('user_version', { simple: true }) !== version || db.pragma('application_id', { simple: true }) !== APPLICATION_ID) throw new Error('migration did not build the old schema')
    return runs.map((input) => db.transaction(() => insertLegacyRun(db, version, input))())
  } finally {
    db.close()
  }
}

function insertLegacyRun(db: Database.Database, version: 1 | 2, input: SaveRunInput): number {
  const { result, trace } = input
  const now = '2025-06-01T12:00:00.000Z'
  const sessionId = input.session === undefined ? null : (db.prepare('INSERT INTO sessions (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id').pluck().get(input.session, now) as number)
  const body = canonicalJson(input.profile)
  const profileId = db.prepare('INSERT INTO profiles (hash, name, arch, body) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET hash = excluded.hash RETURNING id').pluck().get(sha(body), input.profile.name ?? null, input.profile.arch, body)
  const scenarioId = db.prepare('INSERT INTO scenarios (name, hash, source) VALUES (?, ?, ?) ON CONFLICT (hash, name) DO UPDATE SET name = excluded.name RETURNING id').pluck().get(result.scenario, sha(input.scenarioText), input.scenarioText)
  const json = JSON.stringify(result)
  const [codec, data] = json.length < 16 * 1024 ? ['json', json] : ['gzip', gzipSync(json, { level: 1 })]
  const cols = [sessionId, scenarioId, profileId, result.kernel, result.scheme, result.arch, result.variant, now, result.steps.length, result.violations.length, result.blocked.length, trace.events.count, codec, data]
  const runId = Number(
    version === 1
      ? db.prepare('INSERT INTO runs (session_id, scenario_id, profile_id, kernel, scheme, arch, variant, created_at, steps, violations, blocked, events, result_codec, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(...cols).lastInsertRowid
      : db
          .prepare('INSERT INTO runs (session_id, scenario_id, profile_id, kernel, scheme, arch, variant, created_at, steps, violations, blocked, events, result_codec, result, quirks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(...cols, JSON.stringify(result.quirks)).lastInsertRowid,
  )
  const step = db.prepare('INSERT INTO run_steps (run_id, idx, op, task, status, waited, completed_after, error, signal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
  for (const s of result.steps) step.run(runId, s.index, s.op, s.task, s.status, s.waited ? 1 : 0, s.completed_after ?? null, s.error ?? null, s.signal ?? null)
  const violation = db.prepare('INSERT INTO violations (run_id, kind, step, message, pfn) VALUES (?, ?, ?, ?, ?)')
  for (const v of result.violations) violation.run(runId, v.kind, v.step, v.message, v.pfn ?? null)
  const string = db.prepare('INSERT INTO run_strings (run_id, kind, idx, text) VALUES (?, ?, ?, ?)')
  trace.events.tasks.forEach((t, i) => string.run(runId, 'task', i, t))
  trace.events.causes.forEach((t, i) => string.run(runId, 'cause', i, t))
  const chunk = db.prepare('INSERT INTO event_chunks (run_id, chunk_no, first_seq, count, step_min, step_max, kinds, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const events = trace.events.columns()
  for (let start = 0, no = 0; start < events.count; start += DEFAULT_CHUNK_EVENTS, no++) {
    const c = packChunk(events, start, Math.min(DEFAULT_CHUNK_EVENTS, events.count - start))
    chunk.run(runId, no, start, c.count, c.stepMin, c.stepMax, c.kinds, Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength))
  }
  return runId
}
