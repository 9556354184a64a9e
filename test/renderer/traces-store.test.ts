/**
 * The traces store over the real services (a temporary store per test): upload a trace, see the check's
 * findings with their lines, open a finding in the Runs view (its pfn charted, its event marked), and
 * the upload limit refused with the CLI command that takes bigger files.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { callSessionFile } from '../../main/services/session-files'
import type { LabFilesBridge } from '../../main/contract/files'
import { fromFilesBridge, setLabFiles } from '../../renderer/api/files'
import { useEventsStore } from '../../renderer/stores/events'
import { useRunViewStore } from '../../renderer/stores/run-view'
import { useRunsStore } from '../../renderer/stores/runs'
import { useTracesStore } from '../../renderer/stores/traces'
import { useUiStore } from '../../renderer/stores/ui'
import { useRealService } from './real-service'

const service = useRealService()
const LEGACY_PATH = join(__dirname, '../trace-import/fixtures/tracefs-6.14-fsdax-legacy.txt')
const LEGACY = readFileSync(LEGACY_PATH)

/**
 * Electron's window.labFiles as main answers it (main/app/file-ipc.ts): its dialog "chooses" `chosen()`
 * (undefined: Cancel), and the services import that path. Only importTraceFile is used here.
 */
function nativeFiles(chosen: () => string | undefined): LabFilesBridge {
  const importTraceFile: LabFilesBridge['importTraceFile'] = async (request) => {
    const path = chosen()
    if (path === undefined) return { ok: true, value: { canceled: true } }
    return (await callSessionFile(service().files, 'importTraceFile', { ...request, path })) as Awaited<ReturnType<LabFilesBridge['importTraceFile']>>
  }
  return { importTraceFile } as LabFilesBridge
}

afterEach(() => setLabFiles(undefined))

describe('traces store', () => {
  it('imports an upload, lists the findings, and opens one at its event in the Runs view', async () => {
    const store = useTracesStore()
    const out = await store.importTrace(LEGACY.toString('base64'), 'legacy.txt', { kernel: '6.14', fsdaxPfns: '0x240000-0x2403ff' }, 5)
    expect(store.error).toBeUndefined()
    expect(out).toMatchObject({ runId: 1, consistent: false })
    expect(store.result?.findings.map((f) => [f.rule, f.line])).toEqual([
      ['idle_count', 24],
      ['legacy_fsdax_refcount_zero', 24],
    ])
    expect(useRunsStore().runs.map((r) => r.scenario)).toEqual(['trace:legacy.txt'])
    await store.openFinding(store.result!.findings[1])
    expect(useUiStore().view).toBe('runs')
    expect(useRunsStore().selectedId).toBe(1)
    expect(useRunViewStore().pfn).toBe('0x240000')
    const events = useEventsStore()
    expect(events.focusedSeq).toBeDefined()
    expect(events.eventAt(events.focusedSeq! - events.windowStart)).toMatchObject({ step: 24, pfn: '0x240000' })
  })

  it('names the field of a bad option, and clears on the next import', async () => {
    const store = useTracesStore()
    expect(await store.importTrace(LEGACY.toString('base64'), 'legacy.txt', { kernel: '2.6' }, 5)).toBeUndefined()
    expect(store.error).toMatchObject({ code: 'invalid_request', field: 'kernel' })
    expect(await store.importTrace(LEGACY.toString('base64'), 'legacy.txt', {}, 5)).toMatchObject({ runId: 1 })
    expect(store.error).toBeUndefined()
    expect(store.result?.kernel).toBeUndefined()
  })

  it('in Electron imports the file main’s dialog chose, and a cancelled dialog changes nothing', async () => {
    const store = useTracesStore()
    expect(store.nativeDialog()).toBe(false)
    let answer: string | undefined = LEGACY_PATH
    setLabFiles(fromFilesBridge(nativeFiles(() => answer)))
    expect(store.nativeDialog()).toBe(true)
    const out = await store.importTraceFile({ kernel: '6.14', fsdaxPfns: '0x240000-0x2403ff' }, 5)
    expect(out).toMatchObject({ runId: 1, consistent: false, fileName: 'tracefs-6.14-fsdax-legacy.txt' })
    expect(store.result?.findings.map((f) => [f.rule, f.line, f.text])).toEqual([
      ['idle_count', 24, LEGACY.toString('utf8').split('\n')[23]],
      ['legacy_fsdax_refcount_zero', 24, LEGACY.toString('utf8').split('\n')[23]],
    ])
    expect(useRunsStore().runs.map((r) => r.scenario)).toEqual(['trace:tracefs-6.14-fsdax-legacy.txt'])
    answer = undefined
    const before = store.result
    expect(await store.importTraceFile({ kernel: '6.17' }, 5)).toBeUndefined()
    expect(store.result).toBe(before)
    expect(store.error).toBeUndefined()
    expect([store.importing, store.choosing]).toEqual([false, false])
    expect(await service().listRuns({})).toHaveLength(1)
    // A refused option comes back with its field, as for an upload.
    answer = LEGACY_PATH
    expect(await store.importTraceFile({ kernel: '2.6' }, 5)).toBeUndefined()
    expect(store.error).toMatchObject({ code: 'invalid_request', field: 'kernel' })
  })
})
