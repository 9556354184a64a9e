import Database from 'better-sqlite3'
import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { APPLICATION_ID, SCHEMA_VERSION } from '../../main/store/schema'
import { STORE_PAGE_SIZE } from '../../main/store/open-file'
import { tempDir } from './helpers'

const CHILD = join(import.meta.dirname, 'children', 'open-rounds.ts')

function startChild(): Promise<ChildProcess> {
  const child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before it was ready`)))
  })
}

describe('new-store race', () => {
  it('six processes opening the same new file at once all succeed, in every one of 20 rounds', async () => {
    const dir = tempDir()
    const children = await Promise.all(Array.from({ length: 6 }, startChild))
    const failures: string[] = []
    try {
      for (let round = 0; round < 20; round++) {
        const file = join(dir, `round-${round}.sqlite`)
        const replies = children.map(
          (child) => new Promise<{ round: number; error?: string }>((resolve) => child.once('message', (m) => resolve(m as { round: number; error?: string }))),
        )
        // Sent back to back: the children race on creating and initialising the file.
        for (const child of children) child.send({ round, file })
        for (const reply of await Promise.all(replies)) if (reply.error) failures.push(`round ${round}: ${reply.error}`)
        const db = new Database(file, { readonly: true })
        expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID)
        expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
        expect(db.pragma('page_size', { simple: true })).toBe(STORE_PAGE_SIZE)
        db.close()
      }
    } finally {
      for (const child of children) child.send('exit')
    }
    expect(failures).toEqual([])
  }, 60_000)
})
