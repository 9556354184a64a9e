/**
 * The backend services behind the contract (main/contract/api.ts): the library, runs and the trace
 * store. Node layer, no electron: the Electron utility process, the web bridge and tests all host this.
 */
import type { LabApi, LabRequest } from '../contract/api'
import { LabError } from '../contract/envelope'
import { ModelError } from '../sim/errors'
import { startRun, type RunOutput } from '../sim/run'
import { TraceStore } from '../store/trace-store'
import { CompareViews } from './compare'
import { createExploreService } from './explore'
import { JobTable, yieldToEventLoop, type Job } from './jobs'
import { createProfileLibrary, libraryApi } from './profiles'
import { RunViews, eventDto } from './run-views'
import { checkRunOptions, checkSchedule, loadScenario, overrideProfile, replayError } from './scenario-input'
import type { SessionFileApi } from './session-file-calls'
import { createSessionFiles } from './session-files'
import { createSessionsService } from './sessions'
import { createTracesService } from './traces'

/** Steps per slice between yields: small enough to answer a poll promptly, big enough to stay fast. */
const SLICE_STEPS = 2000

/**
 * Wall-clock limit of one run in the app or `daxlab serve` (the CLI has none: a user there can ^C).
 * Every step is already bounded (docs/kernel-model.md#work-budgets); this bounds a run of many of
 * them, so a shared server is never held by one request. DAXLAB_RUN_TIME_LIMIT_S overrides it.
 */
export const RUN_TIME_LIMIT_MS = 10 * 60 * 1000

function runTimeLimitMs(): number {
  const fromEnv = Number(process.env.DAXLAB_RUN_TIME_LIMIT_S)
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv * 1000 : RUN_TIME_LIMIT_MS
}

export interface LabService extends LabApi {
  /** Archives and traces at a path the Electron main process chose (not in the contract: they carry a path). */
  readonly files: SessionFileApi
  close(): void
}

export function createLabService(options: { dbPath: string; runTimeLimitMs?: number }): LabService {
  const timeLimitMs = options.runTimeLimitMs ?? runTimeLimitMs()
  const store = TraceStore.open(options.dbPath)
  const jobs = new JobTable()
  const views = new RunViews(store)
  const compare = new CompareViews(store)
  const noRun = (id: number) => new LabError({ code: 'not_found', field: 'id', message: `no stored run ${id}` })
  let anonymousJobs = 0
  const library = createProfileLibrary(store)
  const traces = createTracesService(store, jobs)
  return {
    async listRuns(request: LabRequest<'listRuns'>) {
      return store.listRuns(request ?? {})
    },
    async getRun(request: LabRequest<'getRun'>) {
      return store.getRun(request.id) ?? null
    },
    async listScenarios() {
      return library.listScenarios()
    },
    async listProfiles() {
      return library.listProfiles()
    },
    async runScenario(request: LabRequest<'runScenario'>) {
      const loaded = loadScenario(library, request)
      const { scenario, text } = loaded
      const profile = request.profile !== undefined ? overrideProfile(library, request.profile) : loaded.profile()
      checkRunOptions(request, profile)
      checkSchedule(scenario, request.schedule)
      const job: Job = jobs.start(request.jobId ?? `anonymous-${++anonymousJobs}`)
      let output: RunOutput
      try {
        const handle = startRun(scenario, profile, { kernel: request.kernel, arch: request.arch, variant: request.variant, patches: request.patches, schedule: request.schedule })
        job.total = handle.total
        const started = Date.now()
        while (!handle.advance(SLICE_STEPS)) {
          job.done = handle.done
          await yieldToEventLoop()
          if (job.cancelRequested) {
            job.state = 'cancelled'
            throw new LabError({ code: 'cancelled', message: `cancelled at step ${handle.done} of ${handle.total}; nothing was stored` })
          }
          if (Date.now() - started > timeLimitMs) {
            throw new LabError({
              code: 'failed',
              message: `stopped at step ${handle.done} of ${handle.total}: over the ${timeLimitMs / 1000} s limit for one run here (DAXLAB_RUN_TIME_LIMIT_S); nothing was stored. Run it with the CLI (daxlab run) for no limit`,
            })
          }
        }
        job.done = handle.total
        output = handle.output()
      } catch (err) {
        if (job.state !== 'cancelled') job.state = 'failed'
        if (err instanceof LabError) throw err
        // A replayed schedule whose choice names a task that cannot run there (docs/explore.md#schedule-file).
        const replay = replayError(err)
        if (replay) throw replay
        // The machine or scenario asks for what the kernel could not build: the caller's input, so 400.
        if (err instanceof ModelError) throw new LabError({ code: 'invalid_request', message: err.message })
        throw new LabError({ code: 'failed', message: (err as Error).message })
      }
      job.state = 'saving'
      try {
        const runId = store.saveRun({ result: output.result, trace: output.trace, scenarioText: text, profile, session: request.session })
        job.state = 'done'
        return { runId }
      } catch (err) {
        job.state = 'failed'
        throw new LabError({ code: 'failed', message: (err as Error).message })
      }
    },
    async getEvents(request: LabRequest<'getEvents'>) {
      const { id, limit, task, pfn, ...query } = request
      const events =
        task !== undefined || pfn !== undefined
          ? views.filteredEvents(id, { ...query, task, pfn, limit: limit ?? 500 })
          : store.getEvents(id, { ...query, limit: limit ?? 500 }).map(eventDto)
      // Only an empty answer needs telling apart from a missing run.
      if (events.length === 0 && !views.exists(id)) throw noRun(id)
      return events
    },
    async getRunHeader(request: LabRequest<'getRunHeader'>) {
      return views.header(request.id)
    },
    async getSteps(request: LabRequest<'getSteps'>) {
      const page = views.steps(request.id, request.offset ?? 0, request.limit ?? 200)
      if (!page) throw noRun(request.id)
      return page
    },
    async listFolios(request: LabRequest<'listFolios'>) {
      const list = views.folios(request.id, request.limit ?? 200)
      if (!list) throw noRun(request.id)
      return list
    },
    async getFolioSeries(request: LabRequest<'getFolioSeries'>) {
      const series = views.series(request.id, request.pfn, request.maxPoints ?? 2000)
      if (!series) throw noRun(request.id)
      return series
    },
    async getScenarioText(request: LabRequest<'getScenarioText'>) {
      const found = library.scenarioText(request.name)
      if (!found) throw new LabError({ code: 'not_found', field: 'name', message: `no scenario '${request.name}' (built-in or saved)` })
      return { name: request.name, text: found.text, chars: found.text.length, truncated: false }
    },
    async getRunScenario(request: LabRequest<'getRunScenario'>) {
      const text = views.scenarioText(request.id)
      if (!text) throw noRun(request.id)
      const max = request.maxChars ?? 256 * 1024
      return { name: text.name, text: text.text.slice(0, max), chars: text.text.length, truncated: text.text.length > max }
    },
    async runProgress(request: LabRequest<'runProgress'>) {
      return jobs.progress(request.jobId)
    },
    async cancelRun(request: LabRequest<'cancelRun'>) {
      return jobs.cancel(request.jobId)
    },
    async compareRuns(request: LabRequest<'compareRuns'>) {
      return compare.page(request)
    },
    ...createSessionsService(store, jobs),
    ...createExploreService(library, jobs, timeLimitMs),
    importTrace: traces.importTrace,
    ...libraryApi(library),
    // importTraceFile takes a path: only here, on the main process's port, never among the lab methods.
    files: { ...createSessionFiles(store), importTraceFile: traces.importTraceFile },
    close() {
      store.close()
    },
  }
}
