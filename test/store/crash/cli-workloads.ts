/**
 * The crash harness's CLI workloads (issue 6): the built `daxlab` is SIGKILLed during `sweep`,
 * `sessions export` and `sessions import`. Each verify runs after the harness found the store sound
 * (integrity_check and every checksum): it checks that what earlier rounds found committed is still
 * there and that nothing half-written looks complete.
 */
import type Database from 'better-sqlite3'
import { readdirSync, rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { expect } from 'vitest'
import { ArchiveError, openArchive } from '../../../main/store/sessions/archive-format'
import { SessionStore } from '../../../main/store/sessions/session-store'
import type { TraceStore } from '../../../main/store/trace-store'
import type { CrashWorkload } from './harness'

export const CLI = join(process.cwd(), 'dist/cli/daxlab.js')

/** Runs whose event chunks do not add up to the run's event count: a torn run. */
function tornRuns(db: Database.Database): number {
  return db.prepare('SELECT count(*) FROM runs r WHERE r.events != COALESCE((SELECT sum(count) FROM event_chunks c WHERE c.run_id = r.id), 0)').pluck().get() as number
}

/** Every run seen in an earlier round is still there, with the scenario it had. */
function expectKept(store: TraceStore, kept: Map<number, string>): void {
  const now = new Map(store.listRuns().map((r) => [r.id, r.scenario]))
  for (const [id, scenario] of kept) expect(now.get(id), `run ${id} (${scenario}) was committed before an earlier kill`).toBe(scenario)
}

interface SweepState {
  readonly kept: Map<number, string>
  /** Sessions a kill left incomplete: the next round resumes one. */
  readonly incomplete: string[]
  next: number
}

/** `daxlab sweep` of the built-in library over three kernels and every arch, one job; every other round resumes. */
export function sweepWorkload(): CrashWorkload<SweepState> & { seen: { incomplete: number } } {
  /** Rounds after which a session was left incomplete (the kill landed inside the sweep). */
  const seen = { incomplete: 0 }
  return {
    seen,
    name: 'sweep',
    cli: true,
    initial: () => ({ kept: new Map(), incomplete: [], next: 0 }),
    child(file, state) {
      const resume = state.next % 2 === 1 ? state.incomplete[0] : undefined
      const name = `s${state.next++}`
      const common = ['--jobs', '1', '--db', file]
      return { script: CLI, args: resume ? ['sweep', '--resume', resume, ...common] : ['sweep', '--scenarios', 'all', '--kernel', '6.14,6.15,6.17', '--arch', 'all', '--session', name, ...common] }
    },
    record() {},
    verify(store, state) {
      const db = store.connection()
      expect(tornRuns(db), 'torn runs').toBe(0)
      // A run is stored with its matrix item marked done in one transaction: no run without its item.
      const orphans = db.prepare(`SELECT count(*) FROM runs r WHERE r.session_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM session_items i WHERE i.run_id = r.id AND i.status = 'done')`).pluck().get()
      const lost = db.prepare(`SELECT count(*) FROM session_items i WHERE i.status = 'done' AND NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = i.run_id)`).pluck().get()
      expect(orphans, 'runs without a done item').toBe(0)
      expect(lost, 'done items without their run').toBe(0)
      expectKept(store, state.kept)
      for (const r of store.listRuns()) state.kept.set(r.id, r.scenario)
      state.incomplete.length = 0
      for (const s of new SessionStore(store).list()) if (s.state === 'incomplete') state.incomplete.push(s.name)
      if (state.incomplete.length > 0) seen.incomplete++
    },
  }
}

interface ExportState {
  /** The runs of the exported session, as the store holds them. */
  readonly runs: number
}

/**
 * `daxlab sessions export base -o OUT` over and over into the same file. The archive is written to a
 * temporary name and renamed: OUT is always either the previous whole archive or the new one, and a
 * left-over temporary file is refused by import unless it is whole (its checksum proves it).
 */
export function exportWorkload(out: string, runs: number): CrashWorkload<ExportState> & { seen: { refused: number; wholeLeftovers: number } } {
  /** What the kills left: half-written temporary files refused, whole ones (killed between seal and rename). */
  const seen = { refused: 0, wholeLeftovers: 0 }
  return {
    seen,
    name: 'sessions export',
    cli: true,
    initial: () => ({ runs }),
    child: (file) => ({ script: CLI, args: ['sessions', 'export', 'base', '-o', out, '--db', file] }),
    record() {},
    verify(store, state) {
      expectKept(store, new Map())
      const candidates = readdirSync(dirname(out)).filter((f) => f.startsWith(basename(out)))
      for (const name of candidates) {
        const path = join(dirname(out), name)
        let archive
        try {
          archive = openArchive(path)
        } catch (e) {
          expect(path, `the archive itself must always open: ${(e as Error).message}`).not.toBe(out)
          expect(e).toBeInstanceOf(ArchiveError)
          seen.refused++
          rmSync(path, { force: true })
          continue
        }
        try {
          const archived = archive.db.prepare('SELECT count(*) FROM runs').pluck().get()
          expect(archived, `${name} opened, so it must hold the whole session`).toBe(state.runs)
        } finally {
          archive.db.close()
        }
        if (path !== out) {
          seen.wholeLeftovers++
          rmSync(path, { force: true })
        }
      }
    },
  }
}

interface ImportState {
  /** Runs of the first whole import, kept for the rest of the rounds. */
  readonly kept: Map<number, string>
  next: number
}

/**
 * `daxlab sessions import ARCHIVE --as iN` into one store. A session is imported whole or not at all.
 * The first whole import is kept (its runs must survive every later kill); the later ones are deleted
 * again, with the record of the archive, so that the next round imports for real rather than being
 * told "already imported".
 */
export function importWorkload(archive: string, runs: number): CrashWorkload<ImportState> & { seen: { imported: number } } {
  /** Rounds that found a whole imported session (the others found none: the import rolled back). */
  const seen = { imported: 0 }
  return {
    seen,
    name: 'sessions import',
    cli: true,
    initial: () => ({ kept: new Map(), next: 0 }),
    child: (file, state) => ({ script: CLI, args: ['sessions', 'import', archive, '--as', `i${state.next++}`, '--db', file] }),
    record() {},
    verify(store, state) {
      const db = store.connection()
      expect(tornRuns(db), 'torn runs').toBe(0)
      expectKept(store, state.kept)
      const sessions = new SessionStore(store)
      for (const s of sessions.list()) {
        const own = sessions.runsOf(s.name)
        if (state.kept.size > 0 && own.some((r) => state.kept.has(r.id))) continue
        expect(own.length, `session ${s.name} is there, so it must be whole`).toBe(runs)
        expect(s.state).toBe('complete')
        seen.imported++
        db.prepare('DELETE FROM imported_archives').run()
        if (state.kept.size === 0) for (const r of own) state.kept.set(r.id, r.scenario)
        else sessions.delete(s.name)
      }
    },
  }
}

