/**
 * A trace file imported into the store as a run of kind `trace` (docs/trace-import.md), streamed:
 * the run row first, event slices as the parser fills them (on the writer thread when the CLI's
 * bundle has it, else on this one), the tail (folios[], counts, string tables) at the end, in one
 * transaction. Memory holds a few slices, whatever the size of the file; a read error or a cancel
 * mid-file rolls the whole run back. Used by `daxlab import-trace` and the app's traces service.
 */
import type { RunResult } from '../sim/result'
import { prepareHead, prepareTail } from '../store/prepared-run'
import { startSliceSave } from '../store/run-writer/slice-save'
import type { TraceStore } from '../store/trace-store'
import { importTraceFile, type TraceFileHooks } from '../cli/trace-file'
import { EventSlices } from '../trace-import/event-slices'
import { TraceImporter, type ImportedEvent, type ImportSummary, type PfnState } from '../trace-import/importer'
import type { PfnRange } from '../trace-import/pfn-ranges'
import { TRACE_SCENARIO_PREFIX, traceProfile, traceRunResult } from '../trace-import/run-result'

/** Slices of this many store chunks go to the writer: 16 x 4096 events, 2.7 MB of columns each. */
const SLICE_CHUNKS = 16

export interface TraceImportRunOptions extends TraceFileHooks {
  readonly name: string
  readonly kernel?: string
  readonly arch?: string
  readonly session?: string
  readonly fsdaxPfns?: readonly PfnRange[]
  /** What `scenarioText` of the run says about its source (the file path, for the CLI). */
  readonly sourceNote: string
  /** The writer thread when available (default); false keeps the writes on this thread. */
  readonly threaded?: boolean
  /** The progress line's label (CLI); the hooks replace it. */
  readonly label?: string
  /** Sees every imported event with its pfn's state (--to-scenario, the app's check). */
  readonly onEvent?: (e: ImportedEvent, s: PfnState | undefined) => void
  /** Called with the importer before the first line is read (the proposer needs its pfn table). */
  readonly onImporter?: (importer: TraceImporter) => void
}

export interface TraceImportRun {
  readonly runId: number
  readonly summary: ImportSummary
  readonly result: RunResult
  readonly pfns: ReadonlyMap<number, PfnState>
}

export async function importTraceRun(file: string, store: TraceStore, options: TraceImportRunOptions): Promise<TraceImportRun> {
  const profile = traceProfile(options.arch ?? 'x86')
  const scenarioText = `# imported ftrace log\n${options.sourceNote}\n`
  // Refuses a read-only or damaged store before reading a large file.
  const save = startSliceSave(store, prepareHead({ scenario: TRACE_SCENARIO_PREFIX + options.name, scenarioText, profile, session: options.session }), { threaded: options.threaded })
  try {
    const sink = new EventSlices(store.chunking.chunkEvents * SLICE_CHUNKS, (columns, first) => save.send(columns, first), !save.takesColumns)
    const importer = new TraceImporter({ sink, fsdaxPfns: options.fsdaxPfns, onEvent: options.onEvent })
    options.onImporter?.(importer)
    const summary = await importTraceFile(file, importer, options.label ?? 'daxlab import-trace', options)
    sink.flush()
    const result = traceRunResult(importer.pfns, { kernel: options.kernel, arch: options.arch, name: options.name, events: sink.count })
    const runId = await save.finish(prepareTail(result, sink.count, sink.tasks, sink.causes, store.chunking.chunkRecords))
    return { runId, summary, result, pfns: importer.pfns }
  } catch (e) {
    // A read error mid-file (a truncated gzip), a cancel or a store failure: nothing of the run stays.
    await save.abort()
    throw e
  }
}
