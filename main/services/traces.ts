/**
 * The traces view's service (main/contract/traces.ts): an ftrace log (uploaded, or in the desktop app a
 * file main's native dialog chose: importTraceFile) imported as a run of kind
 * `trace` (streamed as `daxlab import-trace` does: main/services/trace-import-run.ts), checked on the
 * way against the rules of the chosen kernel (`daxlab check-trace`'s TraceChecker), each finding with
 * its line's text. Progress (bytes of the file) and cancel go through the job table, so runProgress /
 * cancelRun work as for a simulated run; a cancel rolls the run back. Node layer, no electron.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { ArchError } from '../../arch/entry'
import type { LabRequest } from '../contract/api'
import { LabError } from '../contract/envelope'
import type { ImportedTraceFile } from '../contract/files'
import { TRACE_FINDINGS_LIMIT, TRACE_SKIPPED_LIMIT, type TraceFindingDto, type TraceImportOptions, type TraceImportResult } from '../contract/traces'
import { FormatError } from '../formats/errors'
import { ARCH_NAMES } from '../formats/profile'
import { ArchView } from '../sim/arch-view'
import { KernelVersionError, kernelModel } from '../sim/kernel-model'
import type { TraceStore } from '../store/trace-store'
import { TraceChecker, type Finding } from '../trace-import/check'
import { parsePfnRanges, type PfnRange } from '../trace-import/pfn-ranges'
import type { SessionFileRequest } from './session-file-calls'
import { importTraceRun } from './trace-import-run'
import { lineTextsOfFile } from './trace-line-texts'
import { yieldToEventLoop, type JobTable } from './jobs'

function invalid(field: string, message: string): LabError {
  return new LabError({ code: 'invalid_request', field, message })
}

function checkedOptions(request: TraceImportOptions): { kernel?: ReturnType<typeof kernelModel>; fsdax: PfnRange[] } {
  if (request.arch !== undefined && !(ARCH_NAMES as readonly string[]).includes(request.arch)) throw invalid('arch', `'${request.arch}' is not one of ${ARCH_NAMES.join(', ')}`)
  let kernel: ReturnType<typeof kernelModel> | undefined
  try {
    kernel = request.kernel !== undefined ? kernelModel(request.kernel) : undefined
  } catch (e) {
    if (e instanceof KernelVersionError || e instanceof Error) throw invalid('kernel', e.message)
    throw e
  }
  try {
    return { kernel, fsdax: request.fsdaxPfns !== undefined ? parsePfnRanges(request.fsdaxPfns) : [] }
  } catch (e) {
    throw invalid('fsdaxPfns', (e as Error).message)
  }
}

/** What a request asks besides its file; checked before the file is read. */
type ImportOptions = Omit<TraceImportOptions, 'jobId'>

export function createTracesService(store: TraceStore, jobs: JobTable) {
  let anonymous = 0

  /** Imports the trace at `file` (named `fileName` in messages), checking it on the way when a kernel is given. */
  async function importFile(file: string, fileName: string, sourceNote: string, request: ImportOptions, jobId: string | undefined): Promise<TraceImportResult> {
    const { kernel, fsdax } = checkedOptions(request)
    const job = jobs.start(jobId ?? `trace-${++anonymous}`)
    try {
      // A missing file is the import's to report (one FormatError naming it).
      job.total = statSync(file, { throwIfNoEntry: false })?.size ?? 0
      const arch = request.arch ?? 'x86'
      let checker: TraceChecker | undefined
      if (kernel) {
        // The PMD rule works in the traced machine's page and PMD sizes (the arch's default variant).
        const view = new ArchView(arch, kernel.version)
        checker = new TraceChecker(kernel.scheme, view.pmdLeaves ? { pageSize: view.pageSize, pmdSize: view.pmdSize } : null)
      }
      let chunks = 0
      const run = await importTraceRun(file, store, {
        name: request.name ?? fileName,
        kernel: request.kernel,
        arch: request.arch,
        session: request.session,
        fsdaxPfns: fsdax,
        sourceNote,
        threaded: false,
        onEvent: checker?.onEvent,
        onProgress: (done) => {
          job.done = done
        },
        // Every 16 chunks (1 MiB of text) the host answers polls; a cancel stops the read there.
        afterChunk: () => {
          if (++chunks % 16 !== 0 && !job.cancelRequested) return undefined
          return yieldToEventLoop().then(() => {
            if (!job.cancelRequested) return
            job.state = 'cancelled'
            throw new LabError({ code: 'cancelled', message: `cancelled after ${job.done} of ${job.total} bytes; nothing was stored` })
          })
        },
      })
      job.done = job.total
      job.state = 'done'
      const checked = checker?.finish(run.pfns)
      const findings: readonly Finding[] = checked?.findings ?? []
      const listed = findings.slice(0, TRACE_FINDINGS_LIMIT)
      const texts = await lineTextsOfFile(file, new Set(listed.map((f) => f.line)))
      const dto: TraceFindingDto[] = listed.map((f) => ({ rule: f.rule, line: f.line, pfn: f.pfn, message: f.message, text: texts.get(f.line) }))
      const { summary } = run
      return {
        runId: run.runId,
        lines: summary.lines,
        events: summary.events,
        skipped: summary.skipped.slice(0, TRACE_SKIPPED_LIMIT),
        skippedMore: summary.skippedMore + Math.max(0, summary.skipped.length - TRACE_SKIPPED_LIMIT),
        kernel: kernel?.label,
        scheme: kernel?.scheme,
        consistent: checked ? findings.length === 0 : undefined,
        findings: dto,
        findingsTotal: findings.length,
      }
    } catch (e) {
      if (job.state !== 'cancelled') job.state = 'failed'
      if (e instanceof LabError) throw e
      // A file that cannot be read (a truncated gzip): named as the user knows it, not by the path read.
      if (e instanceof FormatError) {
        const issue = e.issues[0]
        throw invalid('data', `${fileName}: ${issue?.path ? `${issue.path}: ` : ''}${issue?.reason ?? e.message}`)
      }
      if (e instanceof ArchError) throw invalid('arch', e.message)
      throw new LabError({ code: 'failed', message: (e as Error).message })
    }
  }

  return {
    /** The upload (web transport, capped at 24 MiB by the schema): written to a private temporary file, imported from there. */
    async importTrace(request: LabRequest<'importTrace'>): Promise<TraceImportResult> {
      const { data, fileName, jobId, ...options } = request
      checkedOptions(options)
      const dir = mkdtempSync(join(tmpdir(), 'daxlab-trace-upload-'))
      try {
        const file = join(dir, `${randomBytes(6).toString('hex')}.trace`)
        writeFileSync(file, Buffer.from(data, 'base64'))
        return await importFile(file, fileName, `uploaded: ${fileName}`, options, jobId)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
    /**
     * A trace at the path main's native dialog chose (the desktop app): imported from the file itself,
     * streamed, with no upload cap. Only on the main process's port (session-file-calls.ts), never a lab method.
     */
    async importTraceFile(request: SessionFileRequest<'importTraceFile'>): Promise<ImportedTraceFile> {
      const { path, jobId, ...options } = request
      const fileName = basename(path)
      return { fileName, ...(await importFile(path, fileName, `file: ${path}`, options, jobId)) }
    },
  }
}
