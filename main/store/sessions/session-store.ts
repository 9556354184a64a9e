/**
 * Sessions as objects (docs/sessions.md): a named, timestamped set of runs with a note, and for a sweep
 * its frozen matrix of combinations (session_items) with each one's status. The state is derived, never
 * stored: a session is `complete` when its whole matrix is present and nothing is pending, so a sweep
 * killed at any instant (even SIGKILL) reads as `incomplete` without anyone having to mark it.
 */
import type Database from 'better-sqlite3'
import type { Profile } from '../../formats/profile'
import { canonicalJson, sha256 } from '../result-codec'
import type { TraceStore } from '../trace-store'
import type { PreparedRun } from '../prepared-run'
import type { RunSummary, SaveRunInput } from '../types'
import type { RunDigests } from './digest'

export type SessionState = 'complete' | 'incomplete'
export type ItemStatus = 'pending' | 'done' | 'skipped' | 'failed'

export interface ItemCounts {
  readonly done: number
  readonly skipped: number
  readonly failed: number
  readonly pending: number
}

export interface SessionInfo {
  readonly name: string
  readonly createdAt: string
  readonly note: string
  readonly state: SessionState
  readonly runs: number
  /** Combinations in the full sweep matrix (every shard), or null for a session without a sweep. */
  readonly planned: number | null
  readonly items: ItemCounts
  readonly plan: unknown
  readonly matrixHash: string | null
}

export interface SessionItem {
  readonly idx: number
  readonly scenario: string
  readonly scenarioHash: string
  readonly profile: string
  readonly profileHash: string
  readonly kernel: string
  readonly arch: string
  readonly variant: string
  readonly status: ItemStatus
  readonly reason: string | null
  readonly runId: number | null
}

/** What a worker needs to run one pending combination, read back from the frozen inputs. */
export interface PendingWork {
  readonly idx: number
  readonly scenarioName: string
  readonly scenarioText: string
  readonly profile: Profile
  readonly kernel: string
  readonly arch: string
  readonly variant: string
}

/** One combination of a sweep as planned: its inputs travel with it so the store can freeze them. */
export interface PlannedItem extends PendingWork {
  readonly status: 'pending' | 'skipped'
  readonly reason?: string
}

export class SessionError extends Error {}

/** Session names are typed by users and read from archives: plain, printable, bounded. */
export function checkSessionName(name: unknown, what = 'session name'): string {
  if (typeof name !== 'string' || name.length === 0) throw new SessionError(`${what} must be a non-empty string`)
  if (name.length > 200) throw new SessionError(`${what} is ${name.length} characters long; at most 200`)
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new SessionError(`${what} ${JSON.stringify(name)} contains control characters`)
  return name
}

const INFO_SELECT = `
  SELECT se.id, se.name, se.created_at AS createdAt, se.note, se.plan, se.planned, se.matrix_hash AS matrixHash,
    (SELECT count(*) FROM runs r WHERE r.session_id = se.id) AS runs,
    (SELECT count(*) FROM session_items i WHERE i.session_id = se.id AND i.status = 'done') AS done,
    (SELECT count(*) FROM session_items i WHERE i.session_id = se.id AND i.status = 'skipped') AS skipped,
    (SELECT count(*) FROM session_items i WHERE i.session_id = se.id AND i.status = 'failed') AS failed,
    (SELECT count(*) FROM session_items i WHERE i.session_id = se.id AND i.status = 'pending') AS pending
  FROM sessions se`

interface InfoRow {
  id: number
  name: string
  createdAt: string
  note: string
  plan: string | null
  planned: number | null
  matrixHash: string | null
  runs: number
  done: number
  skipped: number
  failed: number
  pending: number
}

export const ITEMS_SELECT = `
  SELECT i.idx, sc.name AS scenario, sc.hash AS scenarioHash, COALESCE(p.name, 'inline') AS profile, p.hash AS profileHash,
         i.kernel, i.arch, i.variant, i.status, i.reason, i.run_id AS runId
  FROM session_items i JOIN scenarios sc ON sc.id = i.scenario_id JOIN profiles p ON p.id = i.profile_id`

function toInfo(row: InfoRow): SessionInfo {
  const items = { done: row.done, skipped: row.skipped, failed: row.failed, pending: row.pending }
  const present = row.done + row.skipped + row.failed + row.pending
  const complete = row.planned === null || (present >= row.planned && row.pending === 0)
  return {
    name: row.name,
    createdAt: row.createdAt,
    note: row.note,
    state: complete ? 'complete' : 'incomplete',
    runs: row.runs,
    planned: row.planned,
    items,
    plan: row.plan === null ? null : (JSON.parse(row.plan) as unknown),
    matrixHash: row.matrixHash,
  }
}

export class SessionStore {
  private readonly db: Database.Database

  constructor(private readonly store: TraceStore) {
    this.db = store.connection()
  }

  get traceStore(): TraceStore {
    return this.store
  }

  list(): SessionInfo[] {
    return (this.db.prepare(`${INFO_SELECT} ORDER BY se.name`).all() as InfoRow[]).map(toInfo)
  }

  get(name: string): SessionInfo | undefined {
    const row = this.db.prepare(`${INFO_SELECT} WHERE se.name = ?`).get(name) as InfoRow | undefined
    return row ? toInfo(row) : undefined
  }

  /** The session, or a SessionError naming it and the store. */
  require(name: string): SessionInfo {
    const info = this.get(name)
    if (!info) throw new SessionError(`no session '${name}' in ${this.store.path}`)
    return info
  }

  items(name: string): SessionItem[] {
    const id = this.idOf(name)
    return this.db.prepare(`${ITEMS_SELECT} WHERE i.session_id = ? ORDER BY i.idx`).all(id) as SessionItem[]
  }

  /** The session's stored runs, newest first (RunSummary, as `runs list` shows them). */
  runsOf(name: string): RunSummary[] {
    this.idOf(name)
    return this.store.listRuns({ session: name })
  }

  rename(from: string, to: string): void {
    checkSessionName(to, 'new session name')
    const id = this.idOf(from)
    if (from !== to && this.get(to)) throw new SessionError(`a session '${to}' already exists in ${this.store.path}`)
    this.db.prepare('UPDATE sessions SET name = ? WHERE id = ?').run(to, id)
  }

  setNote(name: string, note: string): void {
    if (note.length > 100_000) throw new SessionError(`note is ${note.length} characters long; at most 100000`)
    this.db.prepare('UPDATE sessions SET note = ? WHERE id = ?').run(note, this.idOf(name))
  }

  /** Deletes the session with its runs and matrix in one transaction; returns how many runs went. */
  delete(name: string): number {
    const id = this.idOf(name)
    return this.db.transaction((): number => {
      const runIds = this.db.prepare('SELECT id FROM runs WHERE session_id = ?').pluck().all(id) as number[]
      // Items first: they reference the scenarios and profiles that deleteRun drops once orphaned.
      const refs = this.db.prepare('SELECT DISTINCT scenario_id AS s, profile_id AS p FROM session_items WHERE session_id = ?').all(id) as { s: number; p: number }[]
      this.db.prepare('DELETE FROM session_items WHERE session_id = ?').run(id)
      for (const runId of runIds) this.store.deleteRun(runId)
      this.dropOrphans(refs)
      this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id)
      return runIds.length
    })()
  }

  /** Creates a sweep session with its frozen matrix (this store's slice of it), in one transaction. */
  createSweep(name: string, plan: unknown, planned: number, matrixHash: string, items: readonly PlannedItem[]): void {
    checkSessionName(name)
    if (this.get(name)) throw new SessionError(`a session '${name}' already exists in ${this.store.path}; finish it with --resume ${name}, or choose another --session`)
    this.db.transaction(() => {
      const id = this.db
        .prepare('INSERT INTO sessions (name, created_at, plan, planned, matrix_hash) VALUES (?, ?, ?, ?, ?) RETURNING id')
        .pluck()
        .get(name, new Date().toISOString(), JSON.stringify(plan), planned, matrixHash) as number
      const insert = this.db.prepare(
        'INSERT INTO session_items (session_id, idx, scenario_id, profile_id, kernel, arch, variant, status, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      // Many combinations share a scenario and a profile: upsert each once.
      const scenarioIds = new Map<string, number>()
      const profileIds = new Map<Profile, number>()
      for (const item of items) {
        const scenarioKey = `${item.scenarioName}\n${item.scenarioText}`
        let scenarioId = scenarioIds.get(scenarioKey)
        if (scenarioId === undefined) scenarioIds.set(scenarioKey, (scenarioId = this.upsertScenario(item.scenarioName, item.scenarioText)))
        let profileId = profileIds.get(item.profile)
        if (profileId === undefined) profileIds.set(item.profile, (profileId = this.upsertProfile(item.profile)))
        insert.run(id, item.idx, scenarioId, profileId, item.kernel, item.arch, item.variant, item.status, item.reason ?? null)
      }
    })()
  }

  /** The pending combinations of a session with their frozen scenario text and profile. */
  pending(name: string): PendingWork[] {
    const id = this.idOf(name)
    const rows = this.db
      .prepare(
        `SELECT i.idx, sc.name AS scenarioName, sc.source AS scenarioText, p.body, i.kernel, i.arch, i.variant
         FROM session_items i JOIN scenarios sc ON sc.id = i.scenario_id JOIN profiles p ON p.id = i.profile_id
         WHERE i.session_id = ? AND i.status = 'pending' ORDER BY i.idx`,
      )
      .all(id) as (Omit<PendingWork, 'profile'> & { body: string })[]
    // One object per distinct profile body: its combinations share it (a sweep batches by it).
    const profiles = new Map<string, Profile>()
    return rows.map(({ body, ...rest }) => {
      let profile = profiles.get(body)
      if (!profile) profiles.set(body, (profile = JSON.parse(body) as Profile))
      return { ...rest, profile }
    })
  }

  /**
   * Saves a sweep's run and marks its combination done in one transaction, so a kill at any moment
   * leaves either both or neither: never a run without its item, never a done item without its run.
   */
  recordRun(session: string, idx: number, input: SaveRunInput, digests: RunDigests): number {
    return this.recordWith(session, idx, digests, () => this.store.saveRun({ ...input, session }))
  }

  /**
   * recordRun for runs prepared off this thread (sweep workers' prepareRun), several in one transaction:
   * a commit costs as much as writing a small run, and whole runs with their done marks still land
   * together or not at all.
   */
  recordPreparedRuns(session: string, runs: readonly { readonly idx: number; readonly prepared: PreparedRun; readonly digests: RunDigests }[]): number[] {
    const id = this.idOf(session)
    return this.db.transaction((): number[] => {
      // The batch's runs share a session and mostly a scenario and profile: each row upserted once per transaction.
      const refs = new Map<string, number>()
      return runs.map((r) => this.markDone(session, id, r.idx, r.digests, this.store.savePrepared({ ...r.prepared, session }, refs)))
    })()
  }

  /** The chunk sizes of the store runs are saved in (a worker must prepare runs with the same). */
  get chunking(): { readonly chunkEvents: number; readonly chunkRecords: number } {
    return this.store.chunking
  }

  private recordWith(session: string, idx: number, digests: RunDigests, save: () => number): number {
    const id = this.idOf(session)
    return this.db.transaction((): number => this.markDone(session, id, idx, digests, save()))()
  }

  private markDone(session: string, sessionId: number, idx: number, digests: RunDigests, runId: number): number {
    this.statements.insertDigests.run(runId, digests.result, digests.events)
    const changed = this.statements.markDone.run(runId, sessionId, idx)
    if (changed.changes !== 1) throw new SessionError(`combination #${idx} of session '${session}' is not pending`)
    return runId
  }

  /** Statements the write path runs per run, prepared once per SessionStore. */
  private get statements() {
    this.prepared ??= {
      insertDigests: this.db.prepare<[number, string, string]>('INSERT INTO run_digests (run_id, result_sha256, events_sha256) VALUES (?, ?, ?)'),
      markDone: this.db.prepare<[number, number, number]>(`UPDATE session_items SET status = 'done', reason = NULL, run_id = ? WHERE session_id = ? AND idx = ? AND status = 'pending'`),
    }
    return this.prepared
  }

  private prepared: { insertDigests: Database.Statement<[number, string, string]>; markDone: Database.Statement<[number, number, number]> } | undefined

  /** A combination whose run threw: recorded with the reason, so it is neither lost nor retried blindly. */
  markFailed(session: string, idx: number, reason: string): void {
    this.db.prepare(`UPDATE session_items SET status = 'failed', reason = ? WHERE session_id = ? AND idx = ? AND status = 'pending'`).run(reason, this.idOf(session), idx)
  }

  idOf(name: string): number {
    const id = this.db.prepare('SELECT id FROM sessions WHERE name = ?').pluck().get(name) as number | undefined
    if (id === undefined) throw new SessionError(`no session '${name}' in ${this.store.path}`)
    return id
  }

  upsertScenario(name: string, text: string): number {
    return this.db
      .prepare('INSERT INTO scenarios (name, hash, source) VALUES (?, ?, ?) ON CONFLICT (hash, name) DO UPDATE SET name = excluded.name RETURNING id')
      .pluck()
      .get(name, sha256(text), text) as number
  }

  /** Same hashing as saveRun (sha256 of the canonical JSON), so items and runs share profile rows. */
  upsertProfile(profile: Profile): number {
    const body = canonicalJson(profile)
    return this.db
      .prepare('INSERT INTO profiles (hash, name, arch, body) VALUES (?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET hash = excluded.hash RETURNING id')
      .pluck()
      .get(sha256(body), profile.name ?? null, profile.arch, body) as number
  }

  private dropOrphans(refs: readonly { s: number; p: number }[]): void {
    const scenario = this.db.prepare(
      'DELETE FROM scenarios WHERE id = ? AND NOT EXISTS (SELECT 1 FROM runs WHERE scenario_id = ?) AND NOT EXISTS (SELECT 1 FROM session_items WHERE scenario_id = ?)',
    )
    const profile = this.db.prepare(
      'DELETE FROM profiles WHERE id = ? AND NOT EXISTS (SELECT 1 FROM runs WHERE profile_id = ?) AND NOT EXISTS (SELECT 1 FROM session_items WHERE profile_id = ?)',
    )
    for (const { s, p } of refs) {
      scenario.run(s, s, s)
      profile.run(p, p, p)
    }
  }
}
