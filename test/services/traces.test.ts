/** The traces service (main/services/traces.ts) on a real store: upload, check, findings with their lines, cancel. */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { callLab } from '../../main/contract/envelope'
import { createLabService } from '../../main/services/lab-service'
import { writeTraceLog } from '../bench/trace-log'

const FIXTURES = join(__dirname, '../trace-import/fixtures')
const LEGACY = readFileSync(join(FIXTURES, 'tracefs-6.14-fsdax-legacy.txt'))
const CONSISTENT = readFileSync(join(FIXTURES, 'trace-cmd-6.17-fsdax-consistent.txt'))

function service() {
  return createLabService({ dbPath: join(mkdtempSync(join(tmpdir(), 'daxlab-traces-')), 'lab.sqlite') })
}

describe('importTrace', () => {
  it('stores the upload as a trace run and lists the legacy breach with its line text', async () => {
    const lab = service()
    try {
      const out = await lab.importTrace({ data: LEGACY.toString('base64'), fileName: 'legacy.txt', kernel: '6.14', fsdaxPfns: '0x240000-0x2403ff' })
      expect(out).toMatchObject({ runId: 1, lines: 24, kernel: '6.14', scheme: 'legacy', consistent: false, findingsTotal: 2 })
      const breach = out.findings.find((f) => f.rule === 'legacy_fsdax_refcount_zero')!
      expect(breach).toMatchObject({ line: 24, pfn: '0x240000' })
      expect(breach.text).toBe(LEGACY.toString('utf8').split('\n')[23])
      const run = await lab.getRun({ id: 1 })
      expect(run?.summary.scenario).toBe('trace:legacy.txt')
      expect(run?.result.folios.find((f) => f.pfn === '0x240000')).toMatchObject({ region: 'fsdax', refcount: 0 })
      // A gzip upload of a consistent trace, named and in a session.
      const ok = await lab.importTrace({ data: gzipSync(CONSISTENT).toString('base64'), fileName: 'c.txt.gz', name: 'consistent', session: 's', kernel: '6.17', fsdaxPfns: '0x120000-0x1201ff' })
      expect(ok).toMatchObject({ runId: 2, consistent: true, findings: [], skipped: [] })
      expect((await lab.listRuns({ session: 's' })).map((r) => r.scenario)).toEqual(['trace:consistent'])
      // Without a kernel: imported, not checked.
      expect(await lab.importTrace({ data: LEGACY.toString('base64'), fileName: 'l.txt' })).toMatchObject({ runId: 3, consistent: undefined, findings: [] })
    } finally {
      lab.close()
    }
  })

  it('one error naming the field for bad input; a cut gzip stores nothing', async () => {
    const lab = service()
    try {
      const call = (request: unknown) => callLab(lab, 'importTrace', request)
      expect(await call({ data: '!!', fileName: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'data' } })
      expect(await call({ data: 'QQ==', fileName: 'x', kernel: '2.6' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'kernel' } })
      expect(await call({ data: 'QQ==', fileName: 'x', arch: 'sparc' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'arch' } })
      expect(await call({ data: 'QQ==', fileName: 'x', fsdaxPfns: 'zz' })).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'fsdaxPfns' } })
      const big = await call({ data: 'A'.repeat(32 * 1024 * 1024 + 4), fileName: 'x' })
      expect(big).toMatchObject({ ok: false, error: { field: 'data', message: expect.stringContaining('daxlab import-trace') } })
      const gz = gzipSync(LEGACY)
      const cut = await call({ data: gz.subarray(0, gz.length - 10).toString('base64'), fileName: 'cut.txt.gz' })
      expect(cut).toMatchObject({ ok: false, error: { code: 'invalid_request', field: 'data', message: 'cut.txt.gz: cannot read it: unexpected end of file' } })
      expect(await lab.listRuns({})).toEqual([])
    } finally {
      lab.close()
    }
  })

  it('reports progress in bytes and a cancel rolls the import back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daxlab-traces-'))
    const log = await writeTraceLog(join(dir, 'big.txt'), { bytes: 8e6, pfns: 256 })
    const data = readFileSync(join(dir, 'big.txt')).toString('base64')
    const lab = service()
    try {
      const pending = lab.importTrace({ data, fileName: 'big.txt', jobId: 'job-1' })
      let progress = await lab.runProgress({ jobId: 'job-1' })
      for (let i = 0; i < 500 && progress.done === 0; i++) {
        await new Promise((r) => setTimeout(r, 5))
        progress = await lab.runProgress({ jobId: 'job-1' })
      }
      expect(progress).toMatchObject({ state: 'running', total: log.bytes })
      expect(progress.done).toBeGreaterThan(0)
      await lab.cancelRun({ jobId: 'job-1' })
      await expect(pending).rejects.toMatchObject({ data: { code: 'cancelled' } })
      expect(await lab.runProgress({ jobId: 'job-1' })).toMatchObject({ state: 'cancelled' })
      expect(await lab.listRuns({})).toEqual([])
      // The store is usable afterwards: the same upload, not cancelled, is stored whole. Its id is 2:
      // a streamed save reserves its id when it starts, and the cancelled one burned 1.
      expect((await lab.importTrace({ data, fileName: 'big.txt' })).runId).toBe(2)
    } finally {
      lab.close()
    }
  }, 60_000)
})
