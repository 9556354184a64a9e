/**
 * The backend services behind the contract (main/contract/api.ts): the library, runs and the trace
 * store. Node layer, no electron: the Electron utility process, the web bridge and tests all host this.
 */
import { scenarioTopic } from '../library/topic'
import { ArchError, resolveVariant } from '../../arch/entry'
import { getArch } from '../../arch/index'
import type { LabApi, LabRequest, LibraryEntry } from '../contract/api'
import { LabError } from '../contract/envelope'
import { FormatError } from '../formats/errors'
import { parseScenarioText } from '../formats/load'
import type { Profile } from '../formats/profile'
import type { Scenario } from '../formats/scenario'
import { builtinProfile, builtinProfileNames, builtinScenario, builtinScenarioNames, builtinScenarioText, resolveProfile } from '../library/index'
import { ModelError } from '../sim/errors'
import { KernelVersionError, resolveKernel } from '../sim/kernel-model'
import { startRun, type RunOutput } from '../sim/run'
import { TraceStore } from '../store/trace-store'
import { JobTable, yieldToEventLoop, type Job } from './jobs'
import { RunViews, eventDto } from './run-views'

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

/**
 * Runs `check`; an error that says the caller's input is wrong (a bad document, kernel, arch or
 * variant) becomes an invalid request naming `field`, so the UI can mark it and the web bridge answers
 * 400 rather than 500. Anything else is rethrown as it is.
 */
function asField<T>(field: string, check: () => T): T {
  try {
    return check()
  } catch (err) {
    // A FormatError lists every issue, one per line; the first names the field inside the document.
    if (err instanceof FormatError) throw new LabError({ code: 'invalid_request', field, message: err.message.split('\n')[0]! })
    if (err instanceof KernelVersionError || err instanceof ArchError) throw new LabError({ code: 'invalid_request', field, message: err.message })
    throw err
  }
}

function loadScenario(request: LabRequest<'runScenario'>): { scenario: Scenario; text: string; profile: () => Profile } {
  const { source } = request
  if (source !== undefined) {
    const scenario = asField('source', () => parseScenarioText(source, 'source'))
    return { scenario, text: source, profile: () => asField('source', () => resolveProfile(scenario, 'source')) }
  }
  const builtin = builtinScenarioText(request.scenario)
  const scenario = builtinScenario(request.scenario)
  if (!builtin || !scenario) throw new LabError({ code: 'not_found', field: 'scenario', message: `no built-in scenario '${request.scenario}'` })
  return { scenario, text: builtin.text, profile: () => resolveProfile(scenario, builtin.file) }
}

/** The profile the caller picked in place of the scenario's own. */
function overrideProfile(name: string): Profile {
  const profile = builtinProfile(name)
  if (!profile) throw new LabError({ code: 'not_found', field: 'profile', message: `no profile '${name}' (one of: ${builtinProfileNames().join(', ')})` })
  return profile
}

/** The kernel, arch and variant the caller typed, checked before the run so a bad one names its field. */
function checkRunOptions(request: LabRequest<'runScenario'>, profile: Profile): void {
  asField('kernel', () => resolveKernel(request.kernel))
  const plugin = asField('arch', () => getArch(request.arch ?? profile.arch))
  if (request.variant !== undefined) asField('variant', () => resolveVariant(plugin, request.variant))
}

export interface LabService extends LabApi {
  close(): void
}

export function createLabService(options: { dbPath: string; runTimeLimitMs?: number }): LabService {
  const timeLimitMs = options.runTimeLimitMs ?? runTimeLimitMs()
  const store = TraceStore.open(options.dbPath)
  const jobs = new JobTable()
  const views = new RunViews(store)
  const noRun = (id: number) => new LabError({ code: 'not_found', field: 'id', message: `no stored run ${id}` })
  let anonymousJobs = 0
  // The built-in library never changes while the process runs: parse it for the lists once, on first ask.
  let scenarioEntries: LibraryEntry[] | undefined
  let profileEntries: LibraryEntry[] | undefined
  const entries = (names: string[], load: (n: string) => { description?: string } | undefined): LibraryEntry[] =>
    names.map((n) => ({ name: n, description: load(n)?.description ?? '' }))
  const scenarioEntry = (n: string): LibraryEntry => {
    const s = builtinScenario(n)
    return {
      name: n,
      description: s?.description ?? '',
      topic: scenarioTopic(n, s),
      sources: s?.sources ?? [],
      ...(s?.kernel !== undefined ? { kernel: s.kernel } : {}),
    }
  }
  return {
    async listRuns(request: LabRequest<'listRuns'>) {
      return store.listRuns(request ?? {})
    },
    async getRun(request: LabRequest<'getRun'>) {
      return store.getRun(request.id) ?? null
    },
    async listScenarios() {
      scenarioEntries ??= builtinScenarioNames().map(scenarioEntry)
      return [...scenarioEntries]
    },
    async listProfiles() {
      profileEntries ??= entries(builtinProfileNames(), builtinProfile)
      return [...profileEntries]
    },
    async runScenario(request: LabRequest<'runScenario'>) {
      const loaded = loadScenario(request)
      const { scenario, text } = loaded
      const profile = request.profile !== undefined ? overrideProfile(request.profile) : loaded.profile()
      checkRunOptions(request, profile)
      const job: Job = jobs.start(request.jobId ?? `anonymous-${++anonymousJobs}`)
      let output: RunOutput
      try {
        const handle = startRun(scenario, profile, { kernel: request.kernel, arch: request.arch, variant: request.variant })
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
      const builtin = builtinScenarioText(request.name)
      if (!builtin) throw new LabError({ code: 'not_found', field: 'name', message: `no built-in scenario '${request.name}'` })
      return { name: request.name, text: builtin.text, chars: builtin.text.length, truncated: false }
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
    close() {
      store.close()
    },
  }
}
