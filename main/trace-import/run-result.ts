/**
 * An imported trace as a run (kind `trace`): the run contract (main/sim/result.ts) with no steps, one
 * folio per pfn seen holding its last known refcount and mapcount, and the event count of the log.
 * The trace names no profile; a one-region `trace-import` profile of the given arch stands in so the
 * store, diff and export treat it like any run (its pfns lie outside the region and show as raw pfns).
 */
import { profileSchema, type Profile } from '../formats/profile'
import { ArchView } from '../sim/arch-view'
import { kernelModel } from '../sim/kernel-model'
import type { FolioResult, RunResult } from '../sim/result'
import type { PfnState } from './importer'

/** The `scenario` field of imported runs: `trace:NAME`, so `runs list --scenario` finds them. */
export const TRACE_SCENARIO_PREFIX = 'trace:'

export interface TraceRunOptions {
  /** The kernel the trace was recorded on; undefined stores `unknown` (check-trace needs one). */
  readonly kernel?: string
  readonly arch?: string
  readonly name: string
  readonly events: number
}

export function traceProfile(arch: string): Profile {
  return profileSchema.parse({ name: 'trace-import', description: 'stand-in profile of an imported ftrace log', arch, regions: [{ name: 'trace', type: 'system-ram', size: '4KiB' }] })
}

export function traceRunResult(pfns: ReadonlyMap<number, PfnState>, options: TraceRunOptions): RunResult {
  const model = options.kernel !== undefined ? kernelModel(options.kernel) : undefined
  const arch = options.arch ?? 'x86'
  // The arch's default page-table variant (also rejects an unknown arch); a trace does not say which.
  const variant = new ArchView(arch, (model ?? kernelModel('refcounted')).version).variant
  const folios: FolioResult[] = [...pfns.values()]
    .filter((s) => !Number.isNaN(s.refcount))
    .sort((a, b) => a.pfn - b.pfn)
    .map((s) => ({ pfn: '0x' + s.pfn.toString(16), order: 0, region: s.fsdax ? 'fsdax' : '-', refcount: s.refcount, mapcount: s.mapcount ?? 0, pincount: 0 }))
  return {
    format: 'daxlab-run/1',
    kernel: model?.label ?? 'unknown',
    scheme: model?.scheme ?? 'refcounted',
    quirks: model ? [...model.quirks, 'imported trace'] : ['imported trace', 'kernel not given at import'],
    arch,
    variant,
    scenario: TRACE_SCENARIO_PREFIX + options.name,
    profile: 'trace-import',
    steps: [],
    folios,
    pgmaps: [],
    violations: [],
    blocked: [],
    events: options.events,
  }
}
