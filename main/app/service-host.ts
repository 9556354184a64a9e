/**
 * Hosts the services in an Electron utility process (service-worker.ts) and offers them to the main
 * process as a LabApi proxy. The main thread only validates, forwards and relays envelopes; the
 * synchronous SQLite and simulation work happens in the child. If the child dies, pending calls fail
 * with a LabError and the next call starts a fresh child.
 */
import { utilityProcess, type UtilityProcess } from 'electron'
import { labMethodTable, type LabApi, type LabMethod } from '../contract/api'
import { LabError, unwrapResult } from '../contract/envelope'
import { SESSION_FILE_METHODS, type SessionFileApi } from '../services/session-file-calls'
import type { FileCallRequest, LabCallRequest, ServiceMessage, ServiceRequest } from './service-protocol'

export interface ServiceHostOptions {
  /** The built worker entry (out/main/service-worker.js). */
  readonly workerPath: string
  readonly dbPath: string
  /** better-sqlite3 built for Electron's ABI (main/store/native-binding.ts); unset, the worker guesses from its cwd. */
  readonly sqliteBinding?: string
}

export interface ServiceHost {
  readonly api: LabApi
  /** The main process's own file calls (paths its dialogs chose); never reachable from the page. */
  readonly files: SessionFileApi
  close(): void
}

interface Pending {
  resolve(value: unknown): void
  reject(err: Error): void
}

export function startServiceHost(options: ServiceHostOptions): ServiceHost {
  const pending = new Map<number, Pending>()
  let nextId = 1
  let child: { process: UtilityProcess; started: Promise<void> } | undefined
  let startupError: string | undefined
  let closed = false

  const failAll = (message: string): void => {
    for (const call of pending.values()) call.reject(new LabError({ code: 'failed', message }))
    pending.clear()
  }

  const onMessage = (message: ServiceMessage): void => {
    if ('ready' in message) {
      startupError = message.error
      return
    }
    const call = pending.get(message.id)
    if (!call) return
    pending.delete(message.id)
    try {
      call.resolve(unwrapResult(message.result))
    } catch (err) {
      call.reject(err as Error)
    }
  }

  const spawn = (): { process: UtilityProcess; started: Promise<void> } => {
    startupError = undefined
    const proc = utilityProcess.fork(options.workerPath, [], {
      serviceName: 'DAX Refcount Lab services',
      env: { ...process.env, DAXLAB_DB: options.dbPath, ...(options.sqliteBinding ? { DAXLAB_SQLITE_BINDING: options.sqliteBinding } : {}) },
      stdio: 'inherit',
    })
    const started = new Promise<void>((resolve, reject) => {
      proc.once('spawn', resolve)
      proc.once('exit', (code) => reject(new LabError({ code: 'failed', message: `services process failed to start (exit ${code})` })))
    })
    started.catch(() => undefined)
    proc.on('message', onMessage)
    proc.once('exit', (code) => {
      if (child?.process === proc) child = undefined
      failAll(startupError ?? `services process exited (code ${code})`)
    })
    return { process: proc, started }
  }

  const send = async (request: Omit<LabCallRequest, 'id'> | Omit<FileCallRequest, 'id'>): Promise<unknown> => {
    if (closed) throw new LabError({ code: 'failed', message: 'services are shut down' })
    child ??= spawn()
    const { process: proc, started } = child
    await started
    const id = nextId++
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject })
      proc.postMessage({ id, ...request } satisfies ServiceRequest)
    })
  }

  const api = labMethodTable((method: LabMethod) => (payload: unknown) => send({ method, payload })) as unknown as LabApi
  const files = Object.freeze(
    Object.fromEntries(SESSION_FILE_METHODS.map((fileMethod) => [fileMethod, (payload: unknown) => send({ fileMethod, payload })])),
  ) as unknown as SessionFileApi

  return {
    api,
    files,
    close() {
      closed = true
      failAll('services are shut down')
      child?.process.kill()
      child = undefined
    },
  }
}
