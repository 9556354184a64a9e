/**
 * A GUP record keeps its pages as runs of one folio (pushHeads): exactly the runs of adjacent equal
 * heads of the one-head-per-page list it replaced, which unpin_user_pages() puts one gup_put_folio()
 * each. The explorer's key of a record (gupRunsKey) is equal for two records exactly when their page
 * lists are.
 */
import { describe, expect, it } from 'vitest'
import { gupRunsKey } from '../../main/explore/state-key'
import { pushHeads } from '../../main/sim/ops/gup'
import { gupRecord, gupRunCount, gupRunHead, gupRunPages, type GupRecord } from '../../main/sim/sim'

/** A record from pushes of [head, pages]. */
function recordOf(pushes: [number, number][]): GupRecord {
  const record = gupRecord('g', 't', true)
  for (const [head, n] of pushes) pushHeads(record, head, n)
  return record
}

/** A record's runs, flat: head, pages, ... */
function runsOf(record: GupRecord): number[] {
  const runs: number[] = []
  for (let r = 0; r < gupRunCount(record); r++) runs.push(gupRunHead(record, r), gupRunPages(record, r))
  return runs
}

/** The runs of adjacent equal heads of a one-head-per-page list, as the old release found them. */
function runsOfPages(heads: number[]): number[] {
  const runs: number[] = []
  for (let i = 0; i < heads.length; ) {
    let nr = 1
    while (i + nr < heads.length && heads[i + nr] === heads[i]) nr++
    runs.push(heads[i]!, nr)
    i += nr
  }
  return runs
}

describe('GUP record runs', () => {
  it('merges pages of the folio of the last run, and only those', () => {
    expect(runsOf(recordOf([]))).toEqual([])
    expect(runsOf(recordOf([[0x200, 1], [0x200, 15]]))).toEqual([0x200, 16])
    expect(runsOf(recordOf([[0x200, 1], [0x400, 1], [0x200, 1]]))).toEqual([0x200, 1, 0x400, 1, 0x200, 1])
    expect(recordOf([[0x200, 2], [0x400, 3]]).pages).toBe(5)
    expect(runsOf(recordOf([[0x200, 2], [0x400, 0], [0x200, 1]]))).toEqual([0x200, 3])
  })

  it('gives the runs of the one-head-per-page list for any pushes', () => {
    let seed = 7
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    for (let t = 0; t < 500; t++) {
      const pushes: [number, number][] = []
      const pages: number[] = []
      for (let k = random(6); k > 0; k--) {
        const head = 0x1000 * (1 + random(3))
        const n = 1 + random(4)
        pushes.push([head, n])
        for (let p = 0; p < n; p++) pages.push(head)
      }
      const record = recordOf(pushes)
      expect(runsOf(record)).toEqual(runsOfPages(pages))
      expect(record.pages).toBe(pages.length)
    }
  })

  it('keys records equal exactly when their page lists are', () => {
    expect(gupRunsKey(recordOf([[0x200, 1], [0x200, 1]]))).toBe(gupRunsKey(recordOf([[0x200, 2]])))
    expect(gupRunsKey(recordOf([[0x200, 2], [0x400, 1]]))).not.toBe(gupRunsKey(recordOf([[0x200, 1], [0x400, 2]])))
    expect(gupRunsKey(recordOf([[0x200, 1], [0x400, 1], [0x200, 1]]))).not.toBe(gupRunsKey(recordOf([[0x200, 2], [0x400, 1]])))
    expect(gupRunsKey(recordOf([[0x2, 11]]))).not.toBe(gupRunsKey(recordOf([[0x21, 1]])))
    expect(gupRunsKey(recordOf([]))).toBe('')
  })
})
