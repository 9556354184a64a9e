/**
 * `daxlab import-trace FILE`: an ftrace text log (tracefs trace/trace_pipe or trace-cmd report, plain
 * or gzip) stored as a run of kind `trace` (docs/trace-import.md). Skipped lines are reported with
 * their line number and reason; they never stop the import.
 */
import type { Command } from 'commander'
import { basename } from 'node:path'
import { TraceImporter } from '../../trace-import/importer'
import { traceProfile, traceRunResult } from '../../trace-import/run-result'
import { withStore } from '../inputs'
import { importTraceFile } from '../trace-file'
import { UsageError } from './compare'
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

interface ImportTraceOptions {
  session?: string
  kernel?: string
  arch?: string
  name?: string
  fsdaxPfns?: string
  db?: string
  json?: boolean
}

export function registerImportTrace(program: Command): void {
  program
    .command('import-trace')
    .description('import an ftrace log of page_ref and fs_dax events (tracefs or trace-cmd report text, plain or gzip) as a run')
    .argument('<file>', 'trace text file')
    .option('--session <name>', 'group the stored run under a session')
    .option('--kernel <version>', 'kernel release the trace was recorded on (6.1 and later, or legacy|refcounted)')
    .option('--arch <arch>', 'arch of the traced machine (default x86)')
    .option('--name <name>', 'run name (default: the file name); stored as scenario trace:NAME')
    .option('--fsdax-pfns <ranges>', 'pfns of the FS DAX namespaces, e.g. 0x240000-0x27ffff,0x300000 (traces from 5.15 on name none)')
    .option('--db <path>', 'trace database (default: the user data directory, or $DAXLAB_DB)')
    .option('--json', 'print {run_id, lines, events, skipped: [{line, reason}], skipped_more}')
    .action(async (file: string, opts: ImportTraceOptions) => {
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
      process.stdout.write(`run ${runId}: ${summary.events} events from ${summary.lines} lines, ${result.folios.length} pfns (${result.kernel}, ${result.arch})\n`)
      const skippedTotal = summary.skipped.length + summary.skippedMore
      if (skippedTotal > 0) {
        process.stdout.write(`skipped ${skippedTotal} line(s):\n`)
        for (const s of summary.skipped.slice(0, 20)) process.stdout.write(`  line ${s.line}: ${s.reason}\n`)
        if (skippedTotal > 20) process.stdout.write(`  ... (${skippedTotal - 20} more; --json lists up to 1000)\n`)
      }
    })
}
