/**
 * The sessions view's backend, on the same store code the CLI uses (docs/sessions.md): the session
 * list and one session's matrix (SessionStore), a sweep (planMatrix, then executeSweep: the tinypool
 * workers where their bundle is built, else in this process; either way off the Electron main thread
 * and off the page), archives (exportSession / openArchive + importArchive through a private temporary
 * file, so no caller ever names a path), and the session diff (diffSide + diffSessions).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LabRequest } from '../contract/api'
import { LabError } from '../contract/envelope'
import { archiveFileName } from '../contract/files'
import { DIFF_STEPS_LIMIT, SESSION_ITEMS_LIMIT, type ChangedRunView, type ExportedArchive, type ImportedArchive, type SessionDetail, type SessionDiffView, type SweepOutcome } from '../contract/sessions'
import { diffSessions } from '../diff/session-diff'
import { builtinScenario, builtinScenarioText, resolveProfile } from '../library/index'
import { diffSide } from '../store/sessions/diff-source'
import { SessionError, SessionStore, checkSessionName } from '../store/sessions/session-store'
import type { TraceStore } from '../store/trace-store'
import { executeSweep } from '../sweep/execute'
import { sweepPoolIfBuilt, type SweepPool } from '../sweep/pool'
import { SweepInputError, planMatrix, type SweepScenario } from '../sweep/matrix'
import type { JobTable } from './jobs'
import { exportSessionToFile, importSessionFromFile } from './session-files'

/** How often a sweep looks at its job's cancel flag. */
const CANCEL_POLL_MS = 50

const invalid = (field: string, message: string) => new LabError({ code: 'invalid_request', field, message })

/**
 * Worker threads for a sweep, started before planning so they boot meanwhile: as asked (default 2)
 * where the worker bundle is built (`daxlab serve`, the built CLI); where it is not (a test host, a dev
 * build), none: the sweep runs in this process, yielding between runs so progress and cancel are answered.
 */
function poolFor(requested: number | undefined): SweepPool | undefined {
  return sweepPoolIfBuilt(requested ?? 2)
}

function sweepScenarios(names: readonly string[]): SweepScenario[] {
  return [...new Set(names)].map((name) => {
    const builtin = builtinScenarioText(name)
    const scenario = builtinScenario(name)
    if (!builtin || !scenario) throw new LabError({ code: 'not_found', field: 'scenarios', message: `no built-in scenario '${name}'` })
    return { name: scenario.name, text: builtin.text, profile: resolveProfile(scenario, builtin.file) }
  })
}

/** planMatrix names CLI options in its errors (`--arch: ...`): the same check, named by request field. */
function planOrField(request: LabRequest<'runSweep'>, scenarios: SweepScenario[]) {
  try {
    return planMatrix({ scenarios, kernels: request.kernels, arches: request.arches })
  } catch (e) {
    if (!(e instanceof SweepInputError)) throw e
    const field = e.message.startsWith('--arch') ? 'arches' : e.message.startsWith('--kernel') ? 'kernels' : 'scenarios'
    throw invalid(field, e.message.replace(/^--[a-z]+: /, ''))
  }
}

/** `run 12` (diff-source's label for a stored run) -> 12. */
function runIdOf(label: string): number | null {
  const m = /^run (\d+)$/.exec(label)
  return m ? Number(m[1]) : null
}

export { archiveFileName }

/** A private folder for one archive's bytes, removed when `fn` is done. */
function withTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-archive-'))
  try {
    return fn(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function createSessionsService(store: TraceStore, jobs: JobTable) {
  const sessions = new SessionStore(store)
  let anonymous = 0
  const require = (name: string, field = 'name') => {
    const info = sessions.get(name)
    if (!info) throw new LabError({ code: 'not_found', field, message: `no session '${name}'` })
    return info
  }
  const sweepWith = async (request: LabRequest<'runSweep'>, pool: SweepPool | undefined): Promise<SweepOutcome> => {
    const name = request.session ?? `sweep-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`
    if (sessions.get(name)) throw invalid('session', `a session '${name}' already exists: choose another name`)
    const scenarios = sweepScenarios(request.scenarios)
    const matrix = planOrField(request, scenarios)
    const plan = { scenarios: request.scenarios, kernels: request.kernels, arches: request.arches }
    try {
      checkSessionName(name)
      sessions.createSweep(name, plan, matrix.items.length, matrix.hash, matrix.items)
    } catch (e) {
      if (e instanceof SessionError) throw invalid('session', e.message)
      throw e
    }
    const job = jobs.start(request.jobId ?? `sweep-${++anonymous}`)
    const skipped = matrix.items.filter((i) => i.status === 'skipped').length
    const work = sessions.pending(name)
    job.total = work.length
    const controller = new AbortController()
    const watch = setInterval(() => {
      if (job.cancelRequested) controller.abort()
    }, CANCEL_POLL_MS)
    try {
      const outcome = await executeSweep({
        sessions,
        session: name,
        work,
        jobs: pool?.threads ?? 1,
        pool,
        signal: controller.signal,
        onProgress: (p) => {
          job.done = p.done + p.failed
        },
      })
      job.state = outcome.interrupted ? 'cancelled' : 'done'
      return { session: name, done: outcome.done, failed: outcome.failed, skipped, cancelled: outcome.interrupted, info: sessions.require(name) }
    } catch (e) {
      job.state = 'failed'
      throw new LabError({ code: 'failed', message: `sweep '${name}': ${(e as Error).message}` })
    } finally {
      clearInterval(watch)
    }
  }
  return {
    async listSessions() {
      return sessions.list()
    },
    async getSession(request: LabRequest<'getSession'>): Promise<SessionDetail> {
      const info = require(request.name)
      const items = sessions.items(info.name)
      const runIds = sessions.runsOf(info.name).map((r) => r.id)
      return {
        info,
        combinations: items.slice(0, SESSION_ITEMS_LIMIT).map(({ scenarioHash: _s, profileHash: _p, ...item }) => item),
        combinationsTotal: items.length,
        runIds: runIds.slice(0, SESSION_ITEMS_LIMIT),
      }
    },
    async runSweep(request: LabRequest<'runSweep'>): Promise<SweepOutcome> {
      const pool = poolFor(request.jobs)
      try {
        return await sweepWith(request, pool)
      } finally {
        await pool?.destroy()
      }
    },
    async exportSession(request: LabRequest<'exportSession'>): Promise<ExportedArchive> {
      const info = require(request.name)
      return withTempDir((dir) => {
        const file = join(dir, 'session.daxlab')
        const out = exportSessionToFile(store, info.name, file)
        return { fileName: archiveFileName(info.name), ...out, data: readFileSync(file).toString('base64') }
      })
    },
    async importSession(request: LabRequest<'importSession'>): Promise<ImportedArchive> {
      return withTempDir((dir) => {
        const file = join(dir, `${randomBytes(6).toString('hex')}.daxlab`)
        writeFileSync(file, Buffer.from(request.data, 'base64'))
        // The messages name the archive as the user knows it, never the temporary file.
        return importSessionFromFile(store, file, request.fileName ?? 'the archive', request.as, 'data')
      })
    },
    async diffSessions(request: LabRequest<'diffSessions'>): Promise<SessionDiffView> {
      const db = store.connection()
      const a = diffSide(db, request.a, request.a)
      if (!a) throw new LabError({ code: 'not_found', field: 'a', message: `no session '${request.a}'` })
      const b = diffSide(db, request.b, request.b)
      if (!b) throw new LabError({ code: 'not_found', field: 'b', message: `no session '${request.b}'` })
      const diff = diffSessions(a, b)
      const changed: ChangedRunView[] = diff.changed.map((c) => ({
        ...c,
        steps: c.steps.slice(0, DIFF_STEPS_LIMIT),
        steps_total: c.steps.length,
        a_id: runIdOf(c.a_run),
        b_id: runIdOf(c.b_run),
      }))
      return { ...diff, changed }
    },
  }
}
