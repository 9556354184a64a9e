/**
 * Store tests against the real services on a temporary database: a fresh Pinia and service per test,
 * installed as the renderer's API. Call once at the top of a test file; `service()` is the current one.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach } from 'vitest'
import { createLabService, type LabService } from '../../main/services/lab-service'
import { setLabApi } from '../../renderer/api'

export function useRealService(): () => LabService {
  let dir: string
  let service: LabService
  beforeEach(() => {
    setActivePinia(createPinia())
    dir = mkdtempSync(join(tmpdir(), 'daxlab-renderer-'))
    service = createLabService({ dbPath: join(dir, 'lab.sqlite') })
    setLabApi(service)
  })
  afterEach(() => {
    setLabApi(undefined)
    service.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return () => service
}
