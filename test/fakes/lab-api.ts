/**
 * A fake LabApi for the app, preload, web and renderer tests: an in-memory run list with canned results.
 * Pure (no node, no DOM) so the renderer tests can use it too.
 */
import { LIBRARY_METHODS, type LabApi, type LabRequest, type LibraryEntry, type LibraryMethod, type RunDetail, type RunSummary } from '../../main/contract/api'
import { LabError } from '../../main/contract/envelope'
import { EXPLORE_METHODS } from '../../main/contract/explore'
import type { RunResult } from '../../main/sim/result'

export const FAKE_SCENARIOS: LibraryEntry[] = [
  { name: 'fsdax-pin-unpin', description: 'pin and unpin a mapped FS DAX page' },
  { name: 'fsdax-truncate-hang', description: 'truncate waits for a pinned page' },
]

export function fakeResult(scenario: string, kernel: string): RunResult {
  return {
    format: 'daxlab-run/1',
    kernel,
    scheme: 'legacy',
    quirks: [],
    arch: 'x86',
    variant: '4level',
    scenario,
    profile: 'x86-pmem-fsdax',
    steps: [
      { index: 0, op: 'mmap', task: 'main', status: 'ok', waited: false },
      {
        index: 1,
        op: 'probe',
        task: 'main',
        status: 'ok',
        waited: false,
        probe: {
          label: 'pinned',
          target: 'map m+0x0',
          pfn: '0x240000',
          order: 0,
          refcount: 1025,
          mapcount: 1,
          pincount: 0,
          entry: '0x8000000240000867',
          level: 'pte',
          region: 'pmem0',
          mapping: '/mnt/pmem0/data',
          pgmap_refs: 1,
        },
      },
    ],
    folios: [],
    pgmaps: [],
    violations: [],
    blocked: [],
    events: 12,
  }
}

export interface FakeLabApi extends LabApi {
  readonly calls: { method: string; request: unknown }[]
  readonly runs: RunDetail[]
}

export function createFakeLabApi(): FakeLabApi {
  const calls: { method: string; request: unknown }[] = []
  const runs: RunDetail[] = []
  const summaries = (): RunSummary[] => runs.map((r) => r.summary).reverse()
  return {
    calls,
    runs,
    async listRuns(request: LabRequest<'listRuns'>) {
      calls.push({ method: 'listRuns', request })
      return summaries()
    },
    async getRun(request: LabRequest<'getRun'>) {
      calls.push({ method: 'getRun', request })
      return runs.find((r) => r.summary.id === request.id) ?? null
    },
    async listScenarios(request: LabRequest<'listScenarios'>) {
      calls.push({ method: 'listScenarios', request })
      return FAKE_SCENARIOS
    },
    async listProfiles(request: LabRequest<'listProfiles'>) {
      calls.push({ method: 'listProfiles', request })
      return [{ name: 'x86-pmem-fsdax', description: 'x86 pmem' }]
    },
    async runScenario(request: LabRequest<'runScenario'>) {
      calls.push({ method: 'runScenario', request })
      if (!FAKE_SCENARIOS.some((s) => s.name === request.scenario)) {
        throw Object.assign(new Error(`no built-in scenario '${request.scenario}'`), {
          data: { code: 'not_found', field: 'scenario', message: `no built-in scenario '${request.scenario}'` },
        })
      }
      const id = runs.length + 1
      const result = fakeResult(request.scenario, request.kernel)
      runs.push({
        summary: {
          id,
          scenario: request.scenario,
          kernel: request.kernel,
          scheme: result.scheme,
          arch: result.arch,
          variant: result.variant,
          profile: result.profile,
          session: request.session ?? null,
          createdAt: '2025-06-01T10:00:00.000Z',
          steps: result.steps.length,
          violations: 0,
          blocked: 0,
          events: result.events,
        },
        result,
        scenarioText: `name: ${request.scenario}\n`,
      })
      return { runId: id }
    },
    async getEvents(request: LabRequest<'getEvents'>) {
      calls.push({ method: 'getEvents', request })
      return [{ seq: 0, step: 3, task: 'main', kind: 'refcount', level: 'none', pfn: '0x300000', before: 1, after: 1025, cause: 'gup-fast: try_grab_folio_fast(FOLL_PIN)' }]
    },
    async getRunHeader(request: LabRequest<'getRunHeader'>) {
      calls.push({ method: 'getRunHeader', request })
      const run = runs.find((r) => r.summary.id === request.id)
      if (!run) return null
      const { result } = run
      return {
        summary: run.summary,
        quirks: result.quirks,
        violations: result.violations,
        violationsTotal: result.violations.length,
        blocked: result.blocked,
        blockedTotal: result.blocked.length,
        folios: result.folios,
        foliosTotal: result.folios.length,
        pgmaps: result.pgmaps,
      }
    },
    async getSteps(request: LabRequest<'getSteps'>) {
      calls.push({ method: 'getSteps', request })
      const run = runs.find((r) => r.summary.id === request.id)
      const all = run?.result.steps ?? []
      const offset = request.offset ?? 0
      return { total: all.length, offset, steps: all.slice(offset, offset + (request.limit ?? 200)).map((s) => ({ ...s, args: { map: 'm' } })) }
    },
    async listFolios(request: LabRequest<'listFolios'>) {
      calls.push({ method: 'listFolios', request })
      return { folios: [{ pfn: '0x240000', events: 3, maxRefcount: 1025, maxMapcount: 1, maxPincount: 0 }], total: 1, suggested: '0x240000' }
    },
    async getFolioSeries(request: LabRequest<'getFolioSeries'>) {
      calls.push({ method: 'getFolioSeries', request })
      return {
        pfn: request.pfn ?? '0x240000',
        pgmap: 'pmem0',
        totalSteps: 2,
        downsampled: false,
        steps: [0, 1],
        refcount: [1, 1025],
        mapcount: [0, 1],
        pincount: [0, 0],
        pgmapRefs: [1, 1],
        waits: [],
        violations: [],
      }
    },
    async getScenarioText(request: LabRequest<'getScenarioText'>) {
      calls.push({ method: 'getScenarioText', request })
      const text = `name: ${request.name}\n`
      return { name: request.name, text, chars: text.length, truncated: false }
    },
    async getRunScenario(request: LabRequest<'getRunScenario'>) {
      calls.push({ method: 'getRunScenario', request })
      const run = runs.find((r) => r.summary.id === request.id)
      if (!run) throw Object.assign(new Error(`no stored run ${request.id}`), { data: { code: 'not_found', field: 'id', message: `no stored run ${request.id}` } })
      return { name: run.summary.scenario, text: run.scenarioText, chars: run.scenarioText.length, truncated: false }
    },
    async runProgress(request: LabRequest<'runProgress'>) {
      calls.push({ method: 'runProgress', request })
      return { jobId: request.jobId, state: 'done' as const, done: 1, total: 1 }
    },
    async cancelRun(request: LabRequest<'cancelRun'>) {
      calls.push({ method: 'cancelRun', request })
      return { jobId: request.jobId, state: 'unknown' as const, done: 0, total: 0 }
    },
    // The compare and sessions methods hold no fake data (their tests run on the real services): no
    // sessions, and every session or run asked for is not found, as the real services would answer.
    async listSessions(request: LabRequest<'listSessions'>) {
      calls.push({ method: 'listSessions', request })
      return []
    },
    ...Object.fromEntries(
      (['compareRuns', 'getSession', 'runSweep', 'exportSession', 'importSession', 'diffSessions', 'importTrace'] as const).map((method) => [
        method,
        async (request: unknown) => {
          calls.push({ method, request })
          throw Object.assign(new Error(`${method}: not in the fake`), { data: { code: 'not_found', message: `${method}: not in the fake` } })
        },
      ]),
    ) as unknown as Pick<LabApi, 'compareRuns' | 'getSession' | 'runSweep' | 'exportSession' | 'importSession' | 'diffSessions' | 'importTrace'>,
    // The user library is tested against the real services (test/services/profiles.test.ts); the
    // fake records the call and refuses, so a test that needs it says so at once.
    ...Object.fromEntries(
      LIBRARY_METHODS.map((method) => [
        method,
        async (request: unknown) => {
          calls.push({ method, request })
          // not_found (404), as for the other methods the fake lacks: 'failed' would read as a server fault.
          throw new LabError({ code: 'not_found', message: `${method} is not in the fake lab api` })
        },
      ]),
    ) as unknown as Pick<LabApi, LibraryMethod>,
    // The explorer runs on the real services in its tests (test/services/explore.test.ts).
    ...Object.fromEntries(
      EXPLORE_METHODS.map((method) => [
        method,
        async (request: unknown) => {
          calls.push({ method, request })
          throw new LabError({ code: 'not_found', message: `${method} is not in the fake lab api` })
        },
      ]),
    ) as unknown as Pick<LabApi, (typeof EXPLORE_METHODS)[number]>,
  }
}
