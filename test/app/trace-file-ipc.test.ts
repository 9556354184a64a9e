/**
 * The desktop's trace import through main's native dialog (main/app/file-ipc.ts importTraceFile), with a
 * mocked `electron` whose open dialog answers a path (or is cancelled), against the real services on a
 * temporary store: the services import the file chosen from the file itself (no upload cap), with
 * progress and cancel; the page cannot send a path, and the method that takes one is reachable neither
 * as a lab method nor through the web bridge.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { LAB_METHODS } from '../../main/contract/api'
import { callLab, type LabResult } from '../../main/contract/envelope'
import { FILE_KINDS, fileChannelOf, type ImportedTraceFile } from '../../main/contract/files'
import { MAX_TRACE_BASE64_CHARS } from '../../main/contract/traces'
import { createLabService, type LabService } from '../../main/services/lab-service'
import { SESSION_FILE_METHODS } from '../../main/services/session-file-calls'
import { callSessionFile } from '../../main/services/session-files'
import { startWebBridge } from '../../main/web/bridge'
import { TOKEN_HEADER } from '../../main/contract/api'
import { writeTraceLog } from '../bench/trace-log'

const electron = vi.hoisted(() => {
  type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>
  const state = {
    handlers: new Map<string, Handler>(),
    /** What the next dialog answers: a path, or undefined for Cancel. */
    answer: undefined as string | undefined,
    dialogs: [] as { parent: unknown; options: Record<string, unknown> }[],
  }
  const window = { id: 'the sender window' }
  return {
    state,
    window,
    module: {
      ipcMain: {
        handle: (channel: string, handler: Handler) => state.handlers.set(channel, handler),
        removeHandler: (channel: string) => state.handlers.delete(channel),
      },
      dialog: {
        showOpenDialog: async (...args: unknown[]) => {
          const [parent, options] = args.length === 2 ? args : [undefined, args[0]]
          state.dialogs.push({ parent, options: options as Record<string, unknown> })
          const path = state.answer
          return { canceled: path === undefined, filePaths: path === undefined ? [] : [path] }
        },
        showSaveDialog: async () => ({ canceled: true, filePath: '' }),
      },
      BrowserWindow: { fromWebContents: (contents: unknown) => (contents === 'app contents' ? window : null) },
    },
  }
})

vi.mock('electron', () => electron.module)

const { registerFileIpc } = await import('../../main/app/file-ipc')
const { appSenderCheck } = await import('../../main/app/sender-policy')

const APP_URL = 'daxlab://app/index.html'
const FIXTURES = join(__dirname, '../trace-import/fixtures')
const LEGACY_PATH = join(FIXTURES, 'tracefs-6.14-fsdax-legacy.txt')
const dir = mkdtempSync(join(tmpdir(), 'daxlab-trace-ipc-'))
let service: LabService
let unregister: () => void

function call(request?: unknown, senderUrl = APP_URL): Promise<LabResult<unknown>> {
  const handler = electron.state.handlers.get(fileChannelOf('importTraceFile'))!
  return handler({ senderFrame: { url: senderUrl }, sender: 'app contents' }, ...(request === undefined ? [] : [request])) as Promise<LabResult<unknown>>
}

beforeAll(() => {
  service = createLabService({ dbPath: join(dir, 'lab.sqlite') })
  unregister = registerFileIpc({ api: service, files: service.files, isTrustedSender: appSenderCheck() })
})

afterAll(() => {
  unregister()
  service.close()
  rmSync(dir, { recursive: true, force: true })
})

beforeEach(() => {
  electron.state.answer = undefined
  electron.state.dialogs.length = 0
})

describe('trace import through main’s native dialog (mocked electron)', () => {
  it('imports the file chosen, checked, with the findings’ line texts read back from it', async () => {
    electron.state.answer = LEGACY_PATH
    const out = await call({ kernel: '6.14', fsdaxPfns: '0x240000-0x2403ff', session: 'real' })
    expect(out).toMatchObject({ ok: true, value: { fileName: 'tracefs-6.14-fsdax-legacy.txt', lines: 24, kernel: '6.14', scheme: 'legacy', consistent: false, findingsTotal: 2 } })
    const value = (out as { value: ImportedTraceFile }).value
    const breach = value.findings.find((f) => f.rule === 'legacy_fsdax_refcount_zero')!
    expect(breach).toMatchObject({ line: 24, pfn: '0x240000', text: readFileSync(LEGACY_PATH, 'utf8').split('\n')[23] })
    const run = await service.getRun({ id: value.runId })
    expect(run?.summary.scenario).toBe('trace:tracefs-6.14-fsdax-legacy.txt')
    expect(run?.summary.session).toBe('real')
    // The open dialog: modal to the sender's window, the trace kind's title and filters (any file too).
    expect(electron.state.dialogs).toEqual([{ parent: electron.window, options: { title: FILE_KINDS.trace.title, filters: FILE_KINDS.trace.filters.map((f) => ({ name: f.name, extensions: [...f.extensions] })), properties: ['openFile'] } }])
    expect(FILE_KINDS.trace.filters.flatMap((f) => f.extensions)).toEqual(['txt', 'log', 'trace', 'gz', 'xz', '*'])
  })

  it('reads gzip from the file, and a file past the upload cap whole (no 24 MiB limit here)', async () => {
    const gz = join(dir, 'consistent.trace.gz')
    writeFileSync(gz, gzipSync(readFileSync(join(FIXTURES, 'trace-cmd-6.17-fsdax-consistent.txt'))))
    electron.state.answer = gz
    expect(await call({ kernel: '6.17', fsdaxPfns: '0x120000-0x1201ff', name: 'consistent' })).toMatchObject({ ok: true, value: { fileName: 'consistent.trace.gz', consistent: true, findings: [], skipped: [] } })

    const big = join(dir, 'big.log')
    const log = await writeTraceLog(big, { bytes: 26e6, pfns: 512 })
    expect(statSync(big).size).toBeGreaterThan((MAX_TRACE_BASE64_CHARS / 4) * 3)
    electron.state.answer = big
    const out = await call({ name: 'big' })
    expect(out).toMatchObject({ ok: true, value: { fileName: 'big.log', lines: log.lines, skipped: [], skippedMore: 0 } })
    const runId = (out as { value: ImportedTraceFile }).value.runId
    expect((await service.getRun({ id: runId }))?.result.folios).toHaveLength(512)
  }, 60_000)

  it('reports progress in bytes of the file, and a cancel rolls the import back', async () => {
    const big = join(dir, 'cancel.log')
    const log = await writeTraceLog(big, { bytes: 16e6, pfns: 256 })
    const before = (await service.listRuns({})).length
    electron.state.answer = big
    const pending = call({ jobId: 'trace-job-1' })
    let progress = await service.runProgress({ jobId: 'trace-job-1' })
    for (let i = 0; i < 1000 && progress.done === 0; i++) {
      await new Promise((r) => setTimeout(r, 5))
      progress = await service.runProgress({ jobId: 'trace-job-1' })
    }
    expect(progress).toMatchObject({ state: 'running', total: log.bytes })
    expect(progress.done).toBeGreaterThan(0)
    await service.cancelRun({ jobId: 'trace-job-1' })
    expect(await pending).toMatchObject({ ok: false, error: { code: 'cancelled' } })
    expect(await service.runProgress({ jobId: 'trace-job-1' })).toMatchObject({ state: 'cancelled' })
    expect(await service.listRuns({})).toHaveLength(before)
  }, 60_000)

  it('cancel in the dialog changes nothing', async () => {
    const before = await service.listRuns({})
    expect(await call({ kernel: '6.14', jobId: 'trace-job-2' })).toEqual({ ok: true, value: { canceled: true } })
    expect(electron.state.dialogs).toHaveLength(1)
    expect(await service.listRuns({})).toEqual(before)
    expect(await service.runProgress({ jobId: 'trace-job-2' })).toMatchObject({ state: 'unknown' })
  })

  it('refuses a payload carrying a path, or data, and an untrusted sender, before any dialog opens', async () => {
    electron.state.answer = LEGACY_PATH
    expect(await call({ path: LEGACY_PATH })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'path' } })
    expect(await call({ kernel: '6.14', path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'path' } })
    expect(await call({ data: 'QQ==', fileName: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    expect(await call({ jobId: 'no spaces allowed' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'jobId' } })
    expect(await call({}, 'https://evil.example/')).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringContaining('not the app') } })
    expect(electron.state.dialogs).toEqual([])
  })

  it('a bad option is refused by the services with its field, and nothing is stored', async () => {
    const before = await service.listRuns({})
    electron.state.answer = LEGACY_PATH
    expect(await call({ kernel: '2.6' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'kernel' } })
    expect(await call({ fsdaxPfns: 'zz' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'fsdaxPfns' } })
    electron.state.answer = join(dir, 'gone.txt')
    expect(await call({})).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'file', message: 'gone.txt: cannot read it: no such file' } })
    expect(await service.listRuns({})).toEqual(before)
  })
})

describe('the path-taking import is not a lab method', () => {
  it('is one of the main process’s file calls, checked again there, and not in the contract', async () => {
    expect(SESSION_FILE_METHODS).toContain('importTraceFile')
    expect(LAB_METHODS as string[]).not.toContain('importTraceFile')
    expect(Object.keys(service)).not.toContain('importTraceFile')
    expect(await callLab(service, 'importTraceFile' as never, { path: LEGACY_PATH })).toMatchObject({ ok: false, error: { code: 'not_found' } })
    // On the services' port the path is validated again: absolute, and no unknown field.
    expect(await callSessionFile(service.files, 'importTraceFile', { path: 'relative.txt' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'path' } })
    expect(await callSessionFile(service.files, 'importTraceFile', { path: LEGACY_PATH, data: 'QQ==' })).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
  })

  it('the web bridge refuses it (404) and stores nothing', async () => {
    const rendererDir = join(dir, 'renderer')
    mkdirSync(rendererDir, { recursive: true })
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>lab</title>')
    const bridge = await startWebBridge({ service, rendererDir })
    try {
      const before = await service.listRuns({})
      const answer = await fetch(`${bridge.url}/api/importTraceFile`, { method: 'POST', headers: { [TOKEN_HEADER]: bridge.token, 'Content-Type': 'application/json' }, body: JSON.stringify({ path: LEGACY_PATH }) })
      expect(answer.status).toBe(404)
      expect(await answer.json()).toMatchObject({ ok: false, error: { code: 'not_found' } })
      expect(await service.listRuns({})).toEqual(before)
      // The upload is served there as before.
      const upload = await fetch(`${bridge.url}/api/importTrace`, { method: 'POST', headers: { [TOKEN_HEADER]: bridge.token, 'Content-Type': 'application/json' }, body: JSON.stringify({ data: readFileSync(LEGACY_PATH).toString('base64'), fileName: 'legacy.txt' }) })
      expect(upload.status).toBe(200)
      expect(await service.listRuns({})).toHaveLength(before.length + 1)
    } finally {
      await bridge.close()
    }
  })
})
