/**
 * The backend services behind the contract (main/contract/api.ts): the library, runs and the trace
 * store. Node layer, no electron: the Electron utility process, the web bridge and tests all host this.
 */
import type { LabApi, LabRequest, LibraryEntry } from '../contract/api'
import { LabError } from '../contract/envelope'
import { builtinProfile, builtinProfileNames, builtinScenario, builtinScenarioNames, builtinScenarioText, resolveProfile } from '../library/index'
import { runScenario } from '../sim/run'
import { TraceStore } from '../store/trace-store'

export interface LabService extends LabApi {
  close(): void
}

export function createLabService(options: { dbPath: string }): LabService {
  const store = TraceStore.open(options.dbPath)
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
      const source = builtinScenarioText(request.scenario)
      const scenario = builtinScenario(request.scenario)
      if (!source || !scenario) {
        throw new LabError({ code: 'not_found', field: 'scenario', message: `no built-in scenario '${request.scenario}'` })
      }
      const profile = resolveProfile(scenario, source.file)
      let output
      try {
        output = runScenario(scenario, profile, { kernel: request.kernel, arch: request.arch, variant: request.variant })
      } catch (err) {
        throw new LabError({ code: 'failed', message: (err as Error).message })
      }
      const runId = store.saveRun({ result: output.result, trace: output.trace, scenarioText: source.text, profile, session: request.session })
      return { runId }
    },
    close() {
      store.close()
    },
  }
}
