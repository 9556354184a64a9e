/**
 * `daxlab check-trace FILE|RUN --kernel V`: the model's rules for that kernel applied to a trace file or
 * an imported run (docs/trace-import.md#rules). Exit 0 consistent, 1 findings, 2 usage or input error.
 */
import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import type { TraceEvent } from '../../sim/events'
import { kernelModel } from '../../sim/kernel-model'
import { checkStoredEvents, TraceChecker, type CheckResult } from '../../trace-import/check'
import { TraceImporter } from '../../trace-import/importer'
import { TRACE_SCENARIO_PREFIX } from '../../trace-import/run-result'
import type { TraceStore } from '../../store/trace-store'
import { withStore } from '../inputs'
import { importTraceFile } from '../trace-file'
import { UsageError } from './compare'
import { checkKernelAndArch, fsdaxOption } from './import-trace'
import type { PfnRange } from '../../trace-import/pfn-ranges'

interface CheckTraceOptions {
  kernel: string
  arch?: string
  fsdaxPfns?: string
  db?: string
  json?: boolean
}

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

export function registerCheckTrace(program: Command): void {
  program
    .command('check-trace')
    .description("check a trace file or an imported run against the model's refcount rules for a kernel")
    .argument('<trace>', 'trace text file (plain or gzip), or the id of an imported run')
    .requiredOption('--kernel <version>', 'kernel release whose rules apply (6.1 and later, or legacy|refcounted)')
    .option('--arch <arch>', 'arch of the traced machine (the rules checked today do not depend on it)')
    .option('--fsdax-pfns <ranges>', 'pfns of the FS DAX namespaces, e.g. 0x240000-0x27ffff,0x300000 (traces from 5.15 on name none)')
    .option('--db <path>', 'trace database, for a run id')
    .option('--json', 'print {kernel, scheme, consistent, pfns, findings: [{rule, line, pfn, message}]}')
    .action(async (arg: string, opts: CheckTraceOptions) => {
      try {
        await checkTrace(arg, opts)
      } catch (e) {
        // Exit 1 means "findings": every error (no such file, damaged store) is exit 2.
        if (e instanceof UsageError) throw e
        throw new UsageError((e as Error).message.split('\n').join('; '))
      }
    })
}

async function checkTrace(arg: string, opts: CheckTraceOptions): Promise<void> {
  checkKernelAndArch(opts.kernel, opts.arch)
  const model = kernelModel(opts.kernel)
  const fsdax = fsdaxOption(opts.fsdaxPfns)
  let result: CheckResult
  if (/^\d+$/.test(arg) && !existsSync(arg)) result = checkRun(opts.db, Number(arg), model.scheme, fsdax)
  else {
        const checker = new TraceChecker(model.scheme)
        const importer = new TraceImporter({ onEvent: checker.onEvent, keepLog: false, fsdaxPfns: fsdax })
        await importTraceFile(arg, importer, 'daxlab check-trace')
        result = checker.finish(importer.pfns)
      }
  const consistent = result.findings.length === 0
  if (opts.json) {
        process.stdout.write(JSON.stringify({ kernel: model.label, scheme: model.scheme, consistent, pfns: result.pfns, findings: result.findings }, null, 2) + '\n')
  } else {
        process.stdout.write(`${consistent ? 'consistent' : `${result.findings.length} finding(s)`} with the ${model.label} model (${model.scheme}), ${result.pfns} pfns\n`)
        for (const f of result.findings) process.stdout.write(`  line ${f.line}: pfn ${f.pfn}: ${f.rule}: ${f.message}\n`)
      }
  process.exitCode = consistent ? 0 : 1
}
