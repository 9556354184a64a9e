/**
 * `daxlab import-trace FILE`: an ftrace text log (tracefs trace/trace_pipe or trace-cmd report, plain
 * or gzip) stored as a run of kind `trace` (docs/trace-import.md). Skipped lines are reported with
 * their line number and reason; they never stop the import.
 */
import { basename } from 'node:path'
import { TraceImporter } from '../../trace-import/importer'
import { traceProfile, traceRunResult } from '../../trace-import/run-result'
import { withStore } from '../inputs'
import { importTraceFile } from '../trace-file'
import { printOut } from '../terminal-text'
import { UsageError } from '../usage-error'
import type { ImportTraceOptions } from '../commands/import-trace'
import { ARCH_NAMES } from '../../formats/profile'
import { kernelModel } from '../../sim/kernel-model'
import { parsePfnRanges, type PfnRange } from '../../trace-import/pfn-ranges'

/** --fsdax-pfns parsed, or one usage error naming the flag. */
export function fsdaxOption(text: string | undefined): PfnRange[] {
  if (text === undefined) return []
  try {
    return parsePfnRanges(text)
  } catch (e) {
    throw new UsageError(`--fsdax-pfns: ${(e as Error).message}`)
  }
}

/** One usage error naming the flag, before any file is read. */
export function checkKernelAndArch(kernel: string | undefined, arch: string | undefined): void {
  if (arch !== undefined && !(ARCH_NAMES as readonly string[]).includes(arch)) throw new UsageError(`--arch: '${arch}' is not one of ${ARCH_NAMES.join(', ')}`)
  if (kernel === undefined) return
  try {
    kernelModel(kernel)
  } catch (e) {
    throw new UsageError(`--kernel: ${(e as Error).message}`)
  }
}

export async function importTrace(file: string, opts: ImportTraceOptions): Promise<void> {
  const name = opts.name ?? basename(file)
  checkKernelAndArch(opts.kernel, opts.arch)
  const profile = traceProfile(opts.arch ?? 'x86')
  // Refuse a read-only or damaged store before reading a large file.
  withStore(opts.db, (store) => store.assertWritable())
  const importer = new TraceImporter({ fsdaxPfns: fsdaxOption(opts.fsdaxPfns) })
  const summary = await importTraceFile(file, importer, 'daxlab import-trace')
  const result = traceRunResult(importer.pfns, { kernel: opts.kernel, arch: opts.arch, name, events: importer.trace.events.count })
  const runId = withStore(opts.db, (store) => store.saveRun({ result, trace: importer.trace, scenarioText: `# imported ftrace log\nfile: ${file}\n`, profile, session: opts.session }))
  const out = { run_id: runId, lines: summary.lines, events: summary.events, skipped: summary.skipped, skipped_more: summary.skippedMore }
  if (opts.json) {
    process.stdout.write(JSON.stringify(out, null, 2) + '\n')
    return
  }
  printOut(`run ${runId}: ${summary.events} events from ${summary.lines} lines, ${result.folios.length} pfns (${result.kernel}, ${result.arch})\n`)
  const skippedTotal = summary.skipped.length + summary.skippedMore
  if (skippedTotal > 0) {
    printOut(`skipped ${skippedTotal} line(s):\n`)
    for (const s of summary.skipped.slice(0, 20)) printOut(`  line ${s.line}: ${s.reason}\n`)
    if (skippedTotal > 20) printOut(`  ... (${skippedTotal - 20} more; --json lists up to 1000)\n`)
  }
}
