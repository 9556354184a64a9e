/**
 * PteCounts (ADR 0027) keeps no counts until the first question, then counts the PTE table once and
 * follows every add and remove: its answers must be those of counts kept from the start, whenever the
 * first question comes.
 */
import { describe, expect, it } from 'vitest'
import type { Leaf } from '../../main/sim/mm'
import { PteCounts } from '../../main/sim/pte-counts'
import { xorshift32 } from '../store/random'

const PMD_PAGES = 512
const BASE = 2 ** 27 // table index of vm_start: keys are index - BASE

describe('PteCounts', () => {
  // 300 PMDs: enough for the counts' table to grow, and to delete from the middle of its probe runs.
  for (const [firstQuestion, pmds] of [[0, 8], [500, 8], [3000, 8], [0, 300], [3000, 300]] as const) {
    it(`answers as eager counts when first asked after ${firstQuestion} changes, over ${pmds} PMDs`, () => {
      const random = xorshift32(5 + firstQuestion + pmds)
      const table = new Map<number, Leaf>()
      const eager = new Map<number, number>()
      const lazy = new PteCounts()
      const leaf = {} as Leaf
      for (let i = 0; i < 4000 * (pmds === 8 ? 1 : 10); i++) {
        const index = BASE + random(pmds * PMD_PAGES)
        const pmd = Math.floor(index / PMD_PAGES)
        if (random(3) === 0) {
          if (table.delete(index - BASE)) {
            lazy.removed(index, PMD_PAGES)
            const left = eager.get(pmd)! - 1
            if (left === 0) eager.delete(pmd)
            else eager.set(pmd, left)
          }
        } else if (!table.has(index - BASE)) {
          table.set(index - BASE, leaf)
          lazy.added(index, PMD_PAGES)
          eager.set(pmd, (eager.get(pmd) ?? 0) + 1)
        }
        if (i >= firstQuestion) {
          const asked = Math.floor(BASE / PMD_PAGES) + random(pmds)
          expect(lazy.has(asked, table, BASE, PMD_PAGES)).toBe(eager.has(asked))
        }
      }
    })
  }
})
