/**
 * `daxlab check-trace FILE|RUN --kernel V`: the model's rules for that kernel applied to a trace file or
 * an imported run (docs/trace-import.md#rules). Exit 0 consistent, 1 findings, 2 usage or input error.
 */
import { existsSync } from 'node:fs'
import type { TraceEvent } from '../../sim/events'
import { ArchView } from '../../sim/arch-view'
import { kernelModel } from '../../sim/kernel-model'
import { checkStoredEvents, TraceChecker, type CheckResult } from '../../trace-import/check'
import { TraceImporter } from '../../trace-import/importer'
import { TRACE_SCENARIO_PREFIX } from '../../trace-import/run-result'
import type { TraceStore } from '../../store/trace-store'
import { withStore } from '../inputs'
import { importTraceFile } from '../trace-file'
import { printOut } from '../terminal-text'
import { UsageError } from '../usage-error'
import type { CheckTraceOptions } from '../commands/check-trace'
import { checkKernelAndArch, fsdaxOption } from './import-trace'
import type { PfnRange } from '../../trace-import/pfn-ranges'


/** A stored run's events, read a page of chunks at a time (memory bounded by the page, not the run). */
function* runEvents(store: TraceStore, id: number): Generator<TraceEvent> {
  const page = 65536
  for (let from = 0; ; ) {
    const events = store.getEvents(id, { fromSeq: from, limit: page, kinds: ['refcount', 'mapcount', 'entry_set'] })
    if (events.length === 0) return
    yield* events
    from = events[events.length - 1]!.seq + 1
  }
}

function checkRun(db: string | undefined, id: number, scheme: 'legacy' | 'refcounted', fsdax: readonly PfnRange[]): CheckResult {
  return withStore(db, (store) => {
    const run = store.getRun(id)
    if (!run) throw new UsageError(`run ${id}: no such run in ${store.path}`)
    if (!run.result.scenario.startsWith(TRACE_SCENARIO_PREFIX)) throw new UsageError(`run ${id} is a simulated run (${run.result.scenario}), not an imported trace`)
    // The import marked the pfns it knew as FS DAX (--fsdax-pfns then, or its insert events) in folios[].
    const imported = run.result.folios.filter((f) => f.region === 'fsdax').map((f) => ({ first: Number(f.pfn), last: Number(f.pfn) }))
    return checkStoredEvents(runEvents(store, id), scheme, [...fsdax, ...imported])
  })
}

export async function checkTrace(arg: string, opts: CheckTraceOptions): Promise<void> {
  checkKernelAndArch(opts.kernel, opts.arch)
  const model = kernelModel(opts.kernel)
  const fsdax = fsdaxOption(opts.fsdaxPfns)
  let result: CheckResult
  if (/^\d+$/.test(arg) && !existsSync(arg)) result = checkRun(opts.db, Number(arg), model.scheme, fsdax)
  else {
    // The PMD rule works in the traced machine's page and PMD sizes (the arch's default variant).
    const arch = new ArchView(opts.arch ?? 'x86', model.version)
    const checker = new TraceChecker(model.scheme, arch.pmdLeaves ? { pageSize: arch.pageSize, pmdSize: arch.pmdSize } : null)
    const importer = new TraceImporter({ onEvent: checker.onEvent, keepLog: false, fsdaxPfns: fsdax })
    await importTraceFile(arg, importer, 'daxlab check-trace')
    result = checker.finish(importer.pfns)
  }
  const consistent = result.findings.length === 0
  if (opts.json) {
    process.stdout.write(JSON.stringify({ kernel: model.label, scheme: model.scheme, consistent, pfns: result.pfns, findings: result.findings }, null, 2) + '\n')
  } else {
    printOut(`${consistent ? 'consistent' : `${result.findings.length} finding(s)`} with the ${model.label} model (${model.scheme}), ${result.pfns} pfns\n`)
    for (const f of result.findings) printOut(`  line ${f.line}: pfn ${f.pfn}: ${f.rule}: ${f.message}\n`)
  }
  process.exitCode = consistent ? 0 : 1
}
