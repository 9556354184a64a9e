/**
 * Walks over a file's mappings visit them in i_mmap order (main/sim/i-mmap.ts): by start pgoff, a new
 * VMA after the ones with the same pgoff, fork's child right after its parent, and a VMA that a split
 * or a resize changed placed again. Before, the lab went through tasks in creation order.
 */
import { describe, expect, it } from 'vitest'
import { IMmap } from '../../main/sim/i-mmap'
import type { Vma } from '../../main/sim/mm'
import type { RunOutput } from '../../main/sim/run'
import { runBuiltinOutput, runYaml } from './helpers'

const vma = (id: string, pgoff: number) => ({ id, pgoff }) as Vma

describe('IMmap', () => {
  it('inserts after every entry with the same or a lower pgoff, and fork copies right after the parent', () => {
    const list = new IMmap()
    const a = vma('a', 4)
    const b = vma('b', 0)
    const c = vma('c', 4)
    const child = vma('a-child', 4)
    list.insert(a)
    list.insert(b)
    list.insert(c)
    list.insertAfter(child, a)
    expect(list.inOrder().map((v) => v.id)).toEqual(['b', 'a', 'a-child', 'c'])
    list.reinsert(a, 4)
    expect(list.inOrder().map((v) => v.id)).toEqual(['b', 'a-child', 'c', 'a'])
    list.remove(b)
    expect(list.inOrder().map((v) => v.id)).toEqual(['a-child', 'c', 'a'])
  })

  it('refuses to remove a mapping it does not hold', () => {
    expect(() => new IMmap().remove(vma('x', 0))).toThrow(/'x' is not linked/)
  })
})

/** Pfns whose entries step `index` cleared, in trace order, less the lowest of them (the file's blocks are contiguous). */
function clearedPages(out: RunOutput, index: number): number[] {
  const log = out.trace.events
  const pfns: number[] = []
  for (let i = 0; i < log.count; i++) {
    const e = log.decode(i)
    if (e.step === index && e.kind === 'entry_clear') pfns.push(e.pfn)
  }
  const base = Math.min(...pfns)
  return pfns.map((p) => p - base)
}

const run = (steps: string, kernel = '6.17') => runYaml(`name: immap\ndescription: d\nprofile: x86-pmem-fsdax\nsteps:\n${steps}`, kernel)

// Task a maps the file and touches page 0, task b maps it after and touches page 1.
const TWO = `  - create: {file: /mnt/pmem0/f, length: 64KiB}
  - mmap: {task: a, id: m, file: /mnt/pmem0/f, length: 64KiB}
  - access: {task: a, map: m, offset: 0}
  - mmap: {task: b, id: m, file: /mnt/pmem0/f, length: 64KiB}
  - access: {task: b, map: m, offset: 4KiB}
`

describe('unmap_mapping_pages walks i_mmap', () => {
  it.each(['6.14', '6.17'])('%s: fork puts the child right after its parent, before a later mapping', (kernel) => {
    const out = run(`${TWO}  - fork: {task: a, child: c}
  - access: {task: c, map: m, offset: 8KiB}
  - truncate: {task: admin, file: /mnt/pmem0/f, length: 0}
`, kernel)
    // a (page 0), its child c (page 2), then b (page 1); creation order would give 0, 1, 2.
    expect(clearedPages(out, 7)).toEqual([0, 2, 1])
  })

  it('goes by file offset first: a mapping of page 8 made first comes after one of page 0', () => {
    const out = run(`  - create: {file: /mnt/pmem0/f, length: 64KiB}
  - mmap: {task: a, id: m, file: /mnt/pmem0/f, offset: 32KiB, length: 32KiB}
  - access: {task: a, map: m, offset: 0}
  - mmap: {task: b, id: m, file: /mnt/pmem0/f, length: 64KiB}
  - access: {task: b, map: m, offset: 0}
  - truncate: {task: admin, file: /mnt/pmem0/f, length: 0}
`)
    expect(clearedPages(out, 5)).toEqual([0, 8])
  })

  it('an mprotect that splits the lowest VMA puts it after the others of its pgoff; one over the whole VMA does not', () => {
    const split = run(`${TWO}  - mprotect: {task: a, map: m, offset: 0, length: 16KiB, prot: read}
  - truncate: {task: admin, file: /mnt/pmem0/f, length: 0}
`)
    expect(clearedPages(split, 6)).toEqual([1, 0])
    const whole = run(`${TWO}  - mprotect: {task: a, map: m, offset: 0, length: 64KiB, prot: read}
  - truncate: {task: admin, file: /mnt/pmem0/f, length: 0}
`)
    expect(clearedPages(whole, 6)).toEqual([0, 1])
  })

  it('a partial munmap places the rest again by the pgoff it keeps', () => {
    // a's head [0, 16KiB) goes: what is left starts at pgoff 4, after b's pgoff 0 whatever the order.
    const out = run(`  - create: {file: /mnt/pmem0/f, length: 64KiB}
  - mmap: {task: a, id: m, file: /mnt/pmem0/f, length: 64KiB}
  - access: {task: a, map: m, offset: 16KiB}
  - mmap: {task: b, id: m, file: /mnt/pmem0/f, offset: 8KiB, length: 32KiB}
  - access: {task: b, map: m, offset: 0}
  - munmap: {task: a, map: m, offset: 0, length: 16KiB}
  - truncate: {task: admin, file: /mnt/pmem0/f, length: 0}
`)
    // Before the munmap a (pgoff 0) came first; after it a's VMA starts at pgoff 4, b's at 2: b's
    // page (file page 2) first, then a's (file page 4, two pages further).
    expect(clearedPages(out, 6)).toEqual([0, 2])
  })

  it('a moving mremap links the new VMA like a new mapping; a same-length resize in place keeps its place', () => {
    const moved = run(`${TWO}  - mremap: {task: a, map: m, length: 64KiB, move: true}
  - truncate: {task: admin, file: /mnt/pmem0/f, length: 0}
`)
    expect(clearedPages(moved, 6)).toEqual([1, 0])
    const same = run(`${TWO}  - mremap: {task: a, map: m, length: 64KiB}
  - truncate: {task: admin, file: /mnt/pmem0/f, length: 0}
`)
    expect(clearedPages(same, 6)).toEqual([0, 1])
  })
})

describe('the built-in fsdax-truncate-fork-order', () => {
  it.each(['6.14', '6.15', '6.17'])('%s: the truncate clears a, then its child c, then b (pages 0, 2, 1)', (kernel) => {
    const out = runBuiltinOutput('fsdax-truncate-fork-order', kernel)
    expect(out.result.violations).toEqual([])
    expect(clearedPages(out, 7)).toEqual([0, 2, 1])
  })
})

describe('device DAX unbind walks the instance i_mmap', () => {
  it('zaps by device offset, not by which task mapped first', () => {
    const out = runYaml(`name: immap
description: d
profile: x86-devdax
steps:
  - mmap: {task: a, id: d, device: dax0, offset: 2MiB, length: 2MiB}
  - access: {task: a, map: d, offset: 0}
  - mmap: {task: b, id: d, device: dax0, length: 2MiB}
  - access: {task: b, map: d, offset: 0}
  - unbind: {region: dax0}
`, '6.17')
    const pages = clearedPages(out, 4)
    // 2 MiB device pages: b's leaf (offset 0) first, then a's (offset 2 MiB = 512 pages on).
    expect(pages).toEqual([0, 512])
  })
})
