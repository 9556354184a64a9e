/**
 * The traces view's service (main/contract/traces.ts): an uploaded ftrace log imported as a run of kind
 * `trace` (streamed as `daxlab import-trace` does: main/services/trace-import-run.ts), checked on the
 * way against the rules of the chosen kernel (`daxlab check-trace`'s TraceChecker), each finding with
 * its line's text. Progress (bytes of the file) and cancel go through the job table, so runProgress /
 * cancelRun work as for a simulated run; a cancel rolls the run back. Node layer, no electron.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { ArchError } from '../../arch/entry'
import type { LabRequest } from '../contract/api'
import { LabError } from '../contract/envelope'
import { TRACE_FINDINGS_LIMIT, TRACE_SKIPPED_LIMIT, type TraceFindingDto, type TraceImportResult } from '../contract/traces'
import { FormatError } from '../formats/errors'
import { ARCH_NAMES } from '../formats/profile'
import { ArchView } from '../sim/arch-view'
import { KernelVersionError, kernelModel } from '../sim/kernel-model'
import type { TraceStore } from '../store/trace-store'
import { TraceChecker, type Finding } from '../trace-import/check'
import { parsePfnRanges, type PfnRange } from '../trace-import/pfn-ranges'
import { importTraceRun } from './trace-import-run'
import { yieldToEventLoop, type JobTable } from './jobs'

/** Characters of a finding's line shown (a trace line is short; a garbage one is cut). */
const LINE_TEXT_CHARS = 500
/** Decompressed bytes read back for the findings' line texts, at most (past this they carry no text). */
const LINE_TEXT_MAX_BYTES = 256 << 20

function invalid(field: string, message: string): LabError {
  return new LabError({ code: 'invalid_request', field, message })
}

function checkedOptions(request: LabRequest<'importTrace'>): { kernel?: ReturnType<typeof kernelModel>; fsdax: PfnRange[] } {
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

/**
 * The text of the given lines (1-based, as the importer counts them), read back from the uploaded
 * bytes: plain text or gzip; an xz upload's findings carry no text (the xz decoder streams only).
 */
export function lineTexts(data: Buffer, wanted: ReadonlySet<number>): Map<number, string> {
  const out = new Map<number, string>()
  if (wanted.size === 0) return out
  let text: Buffer
  try {
    text = data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data, { maxOutputLength: LINE_TEXT_MAX_BYTES }) : data
  } catch {
    return out
  }
  if (text[0] === 0xfd && text[1] === 0x37) return out // xz
  const last = Math.max(...wanted)
  for (let start = 0, line = 1; start < text.length && line <= last; line++) {
    let end = text.indexOf(10, start)
    if (end < 0) end = text.length
    if (wanted.has(line)) out.set(line, text.toString('utf8', start, Math.min(end, start + LINE_TEXT_CHARS * 4)).replace(/\r$/, '').slice(0, LINE_TEXT_CHARS))
    start = end + 1
  }
  return out
}

export function createTracesService(store: TraceStore, jobs: JobTable) {
  let anonymous = 0
  return {
    async importTrace(request: LabRequest<'importTrace'>): Promise<TraceImportResult> {
      const { kernel, fsdax } = checkedOptions(request)
      const data = Buffer.from(request.data, 'base64')
      const job = jobs.start(request.jobId ?? `trace-${++anonymous}`)
      job.total = data.length
      const dir = mkdtempSync(join(tmpdir(), 'daxlab-trace-upload-'))
      try {
        const file = join(dir, `${randomBytes(6).toString('hex')}.trace`)
        writeFileSync(file, data)
        const arch = request.arch ?? 'x86'
        let checker: TraceChecker | undefined
        if (kernel) {
          // The PMD rule works in the traced machine's page and PMD sizes (the arch's default variant).
          const view = new ArchView(arch, kernel.version)
          checker = new TraceChecker(kernel.scheme, view.pmdLeaves ? { pageSize: view.pageSize, pmdSize: view.pmdSize } : null)
        }
        let chunks = 0
        const run = await importTraceRun(file, store, {
          name: request.name ?? request.fileName,
          kernel: request.kernel,
          arch: request.arch,
          session: request.session,
          fsdaxPfns: fsdax,
          sourceNote: `uploaded: ${request.fileName}`,
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
        const texts = lineTexts(data, new Set(listed.map((f) => f.line)))
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
        // A file that cannot be read (a truncated gzip): the message names the temporary file; the user knows theirs by its name.
        if (e instanceof FormatError) throw invalid('data', `${request.fileName}: ${e.message.split('\n')[0]!.replace(/^.*?\.trace: /, '')}`)
        if (e instanceof ArchError) throw invalid('arch', e.message)
        throw new LabError({ code: 'failed', message: (e as Error).message })
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
