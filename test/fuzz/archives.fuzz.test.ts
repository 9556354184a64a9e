/**
 * Damaged archives: random byte flips, truncations and appended bytes anywhere in a real `.daxlab`
 * file. Each one is either refused with an ArchiveError (one line naming the file and the reason) and
 * the store keeps exactly what it had, or imported, in which case its content checksum still verified,
 * so what was imported is the original session. Never a crash, a partial import or a damaged store.
 */
import fc from 'fast-check'
import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { ArchiveError, openArchive } from '../../main/store/sessions/archive-format'
import { importArchive } from '../../main/store/sessions/archive'
import { TraceStore } from '../../main/store/trace-store'
import { daxlab, ensureCli, tempDb } from '../cli/cli-helpers'
import { fuzzRuns, testTimeout } from './budget'

let original: Buffer
let dir: string
let archiveRuns: number

beforeAll(async () => {
  await ensureCli()
  const db = tempDb()
  dir = dirname(db)
  const swept = daxlab(['sweep', '--scenarios', 'fsdax-pin-unpin,devdax-pud-fault', '--kernel', '6.14,6.17', '--arch', 'x86', '--session', 's', '--jobs', '1', '--db', db])
  expect(swept.code, swept.stderr).toBe(0)
  const file = join(dir, 's.daxlab')
  const exported = daxlab(['sessions', 'export', 's', '-o', file, '--db', db])
  expect(exported.code, exported.stderr).toBe(0)
  original = readFileSync(file)
  archiveRuns = TraceStore.open(db).listRuns({ session: 's' }).length
}, 180_000)

const damage = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 4096 }) }),
)

type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never

function damaged(d: Damage): Buffer {
  const out = Buffer.from(original)
  switch (d.kind) {
    case 'flip':
      for (const at of d.at) out[at % out.length] = out[at % out.length]! ^ d.mask
      return out
    case 'truncate':
      return out.subarray(0, Math.floor(out.length * d.keep))
    case 'append':
      return Buffer.concat([out, Buffer.from(d.bytes)])
  }
}

describe('damaged archives', () => {
  const runs = fuzzRuns(0.05)
  it(
    'are refused with one ArchiveError line and an untouched store, or import the original session whole',
    () => {
      const storeFile = tempDb()
      const store = TraceStore.open(storeFile)
      // What the store holds: only a successful import may change it.
      let expectedRuns = store.listRuns().length
      let n = 0
      fc.assert(
        fc.property(damage, (d) => {
          const file = join(dir, `case-${n++}.daxlab`)
          writeFileSync(file, damaged(d))
          let archive
          try {
            archive = openArchive(file)
          } catch (e) {
            expect(e).toBeInstanceOf(ArchiveError)
            expect((e as Error).message.startsWith(file)).toBe(true)
            expect((e as Error).message).not.toContain('\n')
            expect(store.listRuns().length).toBe(expectedRuns)
            return
          }
          try {
            const outcome = importArchive(store, archive, `imported-${n}`)
            // Only an archive whose content checksum verified gets here: the whole session came in.
            expect(outcome.status === 'imported' || outcome.status === 'duplicate').toBe(true)
            if (outcome.status === 'imported') expect(outcome.runs).toBe(archiveRuns)
            expectedRuns += outcome.runs
            expect(store.listRuns().length).toBe(expectedRuns)
          } finally {
            archive.db.close()
          }
        }),
        { numRuns: runs },
      )
      expect(store.check().ok).toBe(true)
      store.close()
    },
    testTimeout(runs, 200),
  )
})
