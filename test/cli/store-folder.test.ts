/**
 * A --db whose folder cannot be made fails at once with one line naming the path. Node 20's recursive
 * mkdir loops forever under /proc (the kernel answers ENOENT there), which hung `runs list`.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { TraceStore } from '../../main/store/trace-store'
import { makeFolders } from '../../main/store/paths'
import { BIN, ensureCli, tempDb } from './cli-helpers'

beforeAll(ensureCli, 120_000)

describe('a store folder that cannot be made', () => {
  it('TraceStore.open refuses /proc/nope/x.sqlite at once, naming it', () => {
    const started = Date.now()
    expect(() => TraceStore.open('/proc/nope/x.sqlite')).toThrow(/\/proc\/nope\/x\.sqlite: cannot create its folder: ENOENT/)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('daxlab runs list --db /proc/nope/x.sqlite exits 1 with one line (and does not hang)', () => {
    const r = spawnSync(process.execPath, [BIN, 'runs', 'list', '--db', '/proc/nope/x.sqlite'], { encoding: 'utf8', timeout: 20_000 })
    expect(r.signal, 'the CLI hung and was killed').toBeNull()
    expect(r.status).toBe(1)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('/proc/nope/x.sqlite')
  })

  it('a file in the way of the folder is named', () => {
    const file = tempDb()
    TraceStore.open(file).close()
    expect(() => makeFolders(join(file, 'sub'))).toThrow(/is not a directory/)
  })

  it('missing levels are made one by one', () => {
    const dir = join(tempDb(), '..', 'a', 'b', 'c')
    makeFolders(dir)
    makeFolders(dir) // already there: nothing to do
    const store = TraceStore.open(join(dir, 'lab.sqlite'))
    expect(store.listRuns()).toEqual([])
    store.close()
  })
})
