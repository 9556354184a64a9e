/**
 * `daxlab import-trace FILE`: an ftrace text log (tracefs trace/trace_pipe or trace-cmd report, plain
 * or gzip) stored as a run of kind `trace` (docs/trace-import.md). Skipped lines are reported with
 * their line number and reason; they never stop the import.
 */
import { basename } from 'node:path'
import { importTraceRun } from '../../services/trace-import-run'
import { withStoreAsync } from '../inputs'
import { printOut } from '../terminal-text'
import { UsageError } from '../usage-error'
import type { ImportTraceOptions } from '../commands/import-trace'
import { ARCH_NAMES } from '../../formats/profile'
import { ArchView } from '../../sim/arch-view'
import { kernelModel } from '../../sim/kernel-model'
import { parsePfnRanges, type PfnRange } from '../../trace-import/pfn-ranges'
import { ScenarioProposer } from '../../trace-import/to-scenario'
import { writeProposal, type WrittenProposal } from './trace-scenario'

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
  const fsdaxPfns = fsdaxOption(opts.fsdaxPfns)
  let proposer: ScenarioProposer | undefined
  const { runId, summary, result } = await withStoreAsync(opts.db, (store) =>
    importTraceRun(file, store, {
      name,
      kernel: opts.kernel,
      arch: opts.arch,
      session: opts.session,
      fsdaxPfns,
      sourceNote: `file: ${file}`,
      // DAXLAB_TRACE_WRITER=inline keeps the store writes on this thread (docs/trace-import.md#memory).
      threaded: process.env.DAXLAB_TRACE_WRITER !== 'inline',
      onEvent: opts.toScenario !== undefined ? (e, s) => proposer!.onEvent(e, s) : undefined,
      onImporter: (importer) => {
        if (opts.toScenario === undefined) return
        // pgoff and addresses are in the traced machine's pages (the arch's default variant).
        const view = new ArchView(opts.arch ?? 'x86', kernelModel(opts.kernel ?? 'refcounted').version)
        proposer = new ScenarioProposer(importer.pfns, { pageSize: view.pageSize, pmdSize: view.pmdSize })
      },
    }),
  )
  const proposal = proposer && opts.toScenario !== undefined ? writeProposal(proposer.finish({ name, source: basename(file), kernel: opts.kernel, arch: opts.arch }), opts.toScenario, runId) : undefined
  const out = { run_id: runId, lines: summary.lines, events: summary.events, skipped: summary.skipped, skipped_more: summary.skippedMore, ...(proposal ? { scenario: proposal } : {}) }
  if (opts.json) {
    process.stdout.write(JSON.stringify(out, null, 2) + '\n')
    return
  }
  printOut(`run ${runId}: ${summary.events} events from ${summary.lines} lines, ${result.folios.length} pfns (${result.kernel}, ${result.arch})\n`)
  if (proposal) printProposal(proposal)
  const skippedTotal = summary.skipped.length + summary.skippedMore
  if (skippedTotal > 0) {
    printOut(`skipped ${skippedTotal} line(s):\n`)
    for (const s of summary.skipped.slice(0, 20)) printOut(`  line ${s.line}: ${s.reason}\n`)
    if (skippedTotal > 20) printOut(`  ... (${skippedTotal - 20} more; --json lists up to 1000)\n`)
  }
}

function printProposal(p: WrittenProposal): void {
  const agree = p.probes - p.disagreements.length
  printOut(`scenario ${p.file}: ${p.steps} steps; replayed on ${p.kernel}: ${agree} of ${p.probes} probes agree with the trace\n`)
  for (const d of p.disagreements.slice(0, 20)) {
    printOut(`  line ${d.line}: pfn ${d.pfn}: trace refcount ${d.trace.refcount} mapcount ${d.trace.mapcount ?? '?'}, model refcount ${d.model.refcount} mapcount ${d.model.mapcount}\n`)
  }
  if (p.disagreements.length > 20) printOut(`  ... (${p.disagreements.length - 20} more; --json lists them all)\n`)
  for (const n of p.notes) printOut(`  not inferred: ${n}\n`)
}
