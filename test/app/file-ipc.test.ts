/**
 * The desktop's file dialogs (main/app/file-ipc.ts) with a mocked `electron` whose dialogs answer a
 * temporary path (or are cancelled), against the real services on a temporary database: the file main
 * writes or reads is asserted on disk, every payload is checked in main before any dialog opens, and
 * the dialog is modal to the sender's window with the kind's filters.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { LabResult } from '../../main/contract/envelope'
import { FILE_KINDS, FILE_METHODS, fileChannelOf } from '../../main/contract/files'
import { parseProfileText } from '../../main/formats/load'
import { createLabService, type LabService } from '../../main/services/lab-service'

const electron = vi.hoisted(() => {
  type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>
  const state = {
    handlers: new Map<string, Handler>(),
    /** What the next dialog answers: a path, or undefined for Cancel. */
    answer: undefined as string | undefined,
    dialogs: [] as { kind: 'open' | 'save'; parent: unknown; options: Record<string, unknown> }[],
  }
  const window = { id: 'the sender window' }
  const dialogCall = (kind: 'open' | 'save') => async (...args: unknown[]) => {
    const [parent, options] = args.length === 2 ? args : [undefined, args[0]]
    state.dialogs.push({ kind, parent, options: options as Record<string, unknown> })
    const path = state.answer
    return kind === 'open' ? { canceled: path === undefined, filePaths: path === undefined ? [] : [path] } : { canceled: path === undefined, filePath: path ?? '' }
  }
  return {
    state,
    window,
    module: {
      ipcMain: {
        handle: (channel: string, handler: Handler) => state.handlers.set(channel, handler),
        removeHandler: (channel: string) => state.handlers.delete(channel),
      },
      dialog: { showOpenDialog: dialogCall('open'), showSaveDialog: dialogCall('save') },
      BrowserWindow: { fromWebContents: (contents: unknown) => (contents === 'app contents' ? window : null) },
    },
  }
})

vi.mock('electron', () => electron.module)

const { registerFileIpc } = await import('../../main/app/file-ipc')
const { appSenderCheck } = await import('../../main/app/sender-policy')

const APP_URL = 'daxlab://app/index.html'
const dir = mkdtempSync(join(tmpdir(), 'daxlab-file-ipc-'))
let service: LabService
let unregister: () => void

function call(method: (typeof FILE_METHODS)[number], request?: unknown, senderUrl = APP_URL): Promise<LabResult<unknown>> {
  const handler = electron.state.handlers.get(fileChannelOf(method))!
  return handler({ senderFrame: { url: senderUrl }, sender: 'app contents' }, ...(request === undefined ? [] : [request])) as Promise<LabResult<unknown>>
}

beforeAll(async () => {
  service = createLabService({ dbPath: join(dir, 'lab.sqlite') })
  unregister = registerFileIpc({ api: service, files: service.files, isTrustedSender: appSenderCheck() })
  await service.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14', session: 'base' })
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

describe('file dialogs through main (mocked electron)', () => {
  it('registers one lab:file.* channel per file method and removes them again', () => {
    expect([...electron.state.handlers.keys()].sort()).toEqual(FILE_METHODS.map(fileChannelOf).sort())
  })

  it('exports a session archive to the chosen path, written by the services, with only counts crossing back', async () => {
    const target = join(dir, 'out', 'base-export') // no extension: main adds .daxlab
    mkdirSync(join(dir, 'out'), { recursive: true })
    electron.state.answer = target
    const out = await call('exportArchiveFile', { name: 'base' })
    expect(out).toMatchObject({ ok: true, value: { fileName: 'base-export.daxlab', runs: 1 } })
    const written = readFileSync(`${target}.daxlab`)
    expect(written.subarray(0, 15).toString()).toBe('SQLite format 3')
    expect(out.ok && (out.value as { bytes: number }).bytes).toBe(statSync(`${target}.daxlab`).size)
    expect(JSON.stringify(out)).not.toContain('data')
    // The save dialog: modal to the sender's window, the archive's filters, the session's file name.
    expect(electron.state.dialogs).toEqual([{ kind: 'save', parent: electron.window, options: expect.objectContaining({ defaultPath: 'base.daxlab', filters: [{ name: FILE_KINDS.archive.filters[0].name, extensions: ['daxlab'] }] }) }])
  })

  it('imports the archive chosen under another name, read by the services from that path', async () => {
    electron.state.answer = join(dir, 'out', 'base-export.daxlab')
    const out = await call('importArchiveFile', { as: 'copy' })
    expect(out).toEqual({ ok: true, value: expect.objectContaining({ status: 'imported', session: 'copy', runs: 1, fileName: 'base-export.daxlab', message: "imported session 'copy' (1 runs)" }) })
    expect((await service.listSessions(undefined)).map((s) => s.name).sort()).toEqual(['base', 'copy'])
    expect(electron.state.dialogs[0]).toMatchObject({ kind: 'open', parent: electron.window, options: { properties: ['openFile'] } })
  })

  it('refuses a chosen file that is not an archive, naming it, and leaves the store as it was', async () => {
    const bogus = join(dir, 'bogus.daxlab')
    writeFileSync(bogus, 'hello')
    electron.state.answer = bogus
    expect(await call('importArchiveFile')).toEqual({ ok: false, error: { code: 'invalid_request', field: 'path', message: 'bogus.daxlab: not a daxlab archive: it is not an SQLite file' } })
    electron.state.answer = dir // a folder
    expect(await call('importArchiveFile')).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'file', message: expect.stringContaining('not a regular file') } })
    expect(await service.listSessions(undefined)).toHaveLength(2)
  })

  it('cancel is a no-op: nothing written, nothing imported', async () => {
    expect(await call('exportArchiveFile', { name: 'base' })).toEqual({ ok: true, value: { canceled: true } })
    expect(await call('importArchiveFile')).toEqual({ ok: true, value: { canceled: true } })
    expect(await call('importProfileFile')).toEqual({ ok: true, value: { canceled: true } })
    const profile = (await service.getProfile({ name: 'x86-pmem-fsdax' })).profile
    expect(await call('exportProfileFile', { profile })).toEqual({ ok: true, value: { canceled: true } })
    expect(electron.state.dialogs).toHaveLength(4)
    expect(await service.listSessions(undefined)).toHaveLength(2)
  })

  it('writes a profile as YAML with units, and reads a profile file back as text', async () => {
    const { profile } = await service.getProfile({ name: 'x86-pmem-fsdax' })
    const target = join(dir, 'mine.yaml')
    electron.state.answer = target
    expect(await call('exportProfileFile', { profile })).toEqual({ ok: true, value: { fileName: 'mine.yaml', bytes: statSync(target).size } })
    const text = readFileSync(target, 'utf8')
    expect(text).toMatch(/size: \d+(\.\d+)?[KMGT]iB/)
    expect(parseProfileText(text, 'mine.yaml')).toEqual(profile)
    expect(electron.state.dialogs[0]!.options).toMatchObject({ defaultPath: 'x86-pmem-fsdax.yaml', filters: [{ extensions: ['yaml', 'yml', 'json'] }] })

    electron.state.answer = target
    expect(await call('importProfileFile')).toEqual({ ok: true, value: { fileName: 'mine.yaml', text } })
  })

  it('refuses a profile file over the size limit before reading it', async () => {
    const big = join(dir, 'big.yaml')
    writeFileSync(big, Buffer.alloc(FILE_KINDS.profile.maxBytes + 1, 0x20))
    electron.state.answer = big
    expect(await call('importProfileFile')).toEqual({ ok: false, error: { code: 'invalid_request', field: 'file', message: 'big.yaml is 16.0 MiB: a hardware profile file is at most 16 MiB' } })
  })

  it('validates every payload in main before any dialog opens', async () => {
    expect(await call('exportArchiveFile', { name: '' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'name' } })
    expect(await call('exportArchiveFile', { name: 'base', path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'path' } })
    expect(await call('importArchiveFile', { as: 'a\u0001b' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'as' } })
    expect(await call('importProfileFile', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'path' } })
    expect(await call('exportProfileFile', { profile: { arch: 'vax', regions: [] } })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'profile.arch' } })
    expect(await call('exportArchiveFile', { name: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found', field: 'name' } })
    expect(electron.state.dialogs).toEqual([])
  })

  it('refuses a caller that is not the app page', async () => {
    electron.state.answer = join(dir, 'x.daxlab')
    expect(await call('exportArchiveFile', { name: 'base' }, 'https://evil.example/')).toMatchObject({ ok: false, error: { code: 'invalid_request', message: expect.stringContaining('not the app') } })
    expect(electron.state.dialogs).toEqual([])
  })
})
