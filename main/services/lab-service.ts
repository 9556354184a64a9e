/**
 * The backend services behind the contract (main/contract/api.ts): the library, runs and the trace
 * store. Node layer, no electron: the Electron utility process, the web bridge and tests all host this.
 */
import type { LabApi, LabRequest, LibraryEntry } from '../contract/api'
import { LabError } from '../contract/envelope'
import { FormatError } from '../formats/errors'
import { parseScenarioText } from '../formats/load'
import { builtinProfile, builtinProfileNames, builtinScenario, builtinScenarioNames, builtinScenarioText, resolveProfile } from '../library/index'
import { startRun, type RunOutput } from '../sim/run'
import { TraceStore } from '../store/trace-store'
import { JobTable, yieldToEventLoop, type Job } from './jobs'

/** Steps per slice between yields: small enough to answer a poll promptly, big enough to stay fast. */
const SLICE_STEPS = 2000

function loadScenario(request: LabRequest<'runScenario'>) {
  if (request.source !== undefined) {
    try {
      const scenario = parseScenarioText(request.source, 'source')
      return { scenario, text: request.source, file: 'source' }
    } catch (err) {
      if (!(err instanceof FormatError)) throw err
      const first = err.issues[0]
      throw new LabError({ code: 'invalid_request', field: 'source', message: err.message.split('\n')[0] ?? first?.reason ?? 'invalid scenario' })
    }
  }
  const source = builtinScenarioText(request.scenario)
  const scenario = builtinScenario(request.scenario)
  if (!source || !scenario) throw new LabError({ code: 'not_found', field: 'scenario', message: `no built-in scenario '${request.scenario}'` })
  return { scenario, text: source.text, file: source.file }
}

export interface LabService extends LabApi {
  close(): void
}

export function createLabService(options: { dbPath: string }): LabService {
  const store = TraceStore.open(options.dbPath)
  const jobs = new JobTable()
  let anonymousJobs = 0
  const entries = (names: string[], load: (n: string) => { description?: string } | undefined): LibraryEntry[] =>
    names.map((n) => ({ name: n, description: load(n)?.description ?? '' }))
  return {
    async listRuns(request: LabRequest<'listRuns'>) {
      return store.listRuns(request ?? {})
    },
    async getRun(request: LabRequest<'getRun'>) {
      return store.getRun(request.id) ?? null
    },
    async listScenarios() {
      return entries(builtinScenarioNames(), builtinScenario)
    },
    async listProfiles() {
      return entries(builtinProfileNames(), builtinProfile)
    },
    async runScenario(request: LabRequest<'runScenario'>) {
      const { scenario, text, file } = loadScenario(request)
      const profile = resolveProfile(scenario, file)
      const job: Job = jobs.start(request.jobId ?? `anonymous-${++anonymousJobs}`)
      let output: RunOutput
      try {
        const handle = startRun(scenario, profile, { kernel: request.kernel, arch: request.arch, variant: request.variant })
        job.total = handle.total
        while (!handle.advance(SLICE_STEPS)) {
          job.done = handle.done
          await yieldToEventLoop()
          if (job.cancelRequested) {
            job.state = 'cancelled'
            throw new LabError({ code: 'cancelled', message: `cancelled at step ${handle.done} of ${handle.total}; nothing was stored` })
          }
        }
        job.done = handle.total
        output = handle.output()
      } catch (err) {
        if (job.state !== 'cancelled') job.state = 'failed'
        if (err instanceof LabError) throw err
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
