/**
 * Bounded memory, the CI-sized version of the 1 GB bench: the built CLI on generated logs of 8 and
 * 32 MB. check-trace's peak RSS does not follow the file size; import-trace's grows with the event log
 * it keeps for the store (42 bytes an event in the log, copied once more when the store joins its
 * chunks) and not with the text (docs/trace-import.md#memory).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, ensureCli } from '../cli/cli-helpers'
import { runCli, writePeakHook } from '../bench/trace-import-bench'
import { writeTraceLog } from '../bench/trace-log'

beforeAll(ensureCli, 120_000)

describe('trace import memory', () => {
  it('check-trace peak RSS stays flat from 8 to 32 MB of text; import-trace grows by the event log only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daxlab-trace-mem-'))
    const hook = writePeakHook(dir)
    const small = join(dir, 'small.txt')
    const large = join(dir, 'large.txt')
    await writeTraceLog(small, { bytes: 8e6, pfns: 1024 })
    const log = await writeTraceLog(large, { bytes: 32e6, pfns: 1024 })
    const check = (file: string) => runCli(BIN, hook, ['check-trace', file, '--kernel', '6.17', '--json']).peakMiB
    const checkGrowth = check(large) - check(small)
    // 24 MB more text; a reader that kept it would grow by at least that much (UTF-16: twice).
    expect(checkGrowth).toBeLessThan(12)
    const imp = (file: string, db: string) => runCli(BIN, hook, ['import-trace', file, '--kernel', '6.17', '--json', '--db', join(dir, db)])
    const a = imp(small, 'a.sqlite')
    const b = imp(large, 'b.sqlite')
    const moreEvents = JSON.parse(b.stdout).events - JSON.parse(a.stdout).events
    expect(moreEvents).toBeGreaterThan(0)
    // The log's events (a page_ref line is one refcount event, plus a mapcount event when mapcount
    // changes): at most 2 per imported line, 42 bytes each, twice (log + joined copy), plus slack.
    const bound = (2 * moreEvents * 42 * 2) / 2 ** 20 + 24
    expect(b.peakMiB - a.peakMiB).toBeLessThan(bound)
    expect(b.peakMiB - a.peakMiB).toBeLessThan((log.bytes * 0.75) / 2 ** 20) // well below the text it read
  }, 240_000)
})
