/** The app's kernel field goes through the same parser: the lab service runs and stores proposal-2022 under its name. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { createLabService } from '../../../main/services/lab-service'

it('runScenario with kernel proposal-2022 stores the run with the model name and its switches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'daxlab-p2022-'))
  const service = createLabService({ dbPath: join(dir, 'lab.sqlite') })
  try {
    const { runId } = await service.runScenario({ scenario: 'proposal-2022-map-to-truncate', kernel: 'proposal-2022' })
    const detail = await service.getRun({ id: runId })
    expect(detail?.summary).toMatchObject({ kernel: 'proposal-2022' })
    expect(detail?.result.patches?.on).toContain('pgmap-request-folios')
    expect(detail?.result.steps[5]?.probe).toMatchObject({ refcount: 1, pgmap_refs: 4194307 })
  } finally {
    service.close()
    rmSync(dir, { recursive: true, force: true })
  }
})
