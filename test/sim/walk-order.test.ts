/**
 * Page-table walks go up the address range, across levels, as the kernel's do (main/sim/address-order.ts):
 * munmap (zap_pte_range/zap_pmd_range), fork (copy_page_range), mprotect (change_protection) and a
 * moving mremap (move_page_tables), whatever order the leaves were faulted in.
 */
import { describe, expect, it } from 'vitest'
import { inAddressOrder } from '../../main/sim/address-order'
import type { Leaf } from '../../main/sim/mm'
import type { RunOutput } from '../../main/sim/run'
import { runYaml } from './helpers'

const leaf = (index: number): Leaf => ({ level: 'pte', index, pfn: index, kind: 'dax', write: false, dirty: false, special: false, devmap: false, raw: 0n, counted: true })

describe('inAddressOrder', () => {
  it('returns leaves already in order as they are, and sorts the rest by first address', () => {
    const ordered = [leaf(1), leaf(2), leaf(9)]
    expect(inAddressOrder(ordered, [4096, 8192, 36864], 4096)).toBe(ordered)
    const shuffled = [7, 3, 0, 12, 5, 1].map(leaf)
    expect(inAddressOrder(shuffled, shuffled.map((l) => l.index * 4096), 4096).map((l) => l.index)).toEqual([0, 1, 3, 5, 7, 12])
  })

  it('sorts a span too wide for its packed keys by comparison instead', () => {
    // Page numbers near 2^50 with 8 slots for positions pass 2^53: the comparison path.
    const far = [2 ** 50, 3, 2 ** 49, 0, 17, 2 ** 50 - 1, 5, 2]
    const leaves = far.map(leaf)
    expect(inAddressOrder(leaves, far, 1).map((l) => l.index)).toEqual([...far].sort((a, b) => a - b))
  })
})

const MiB = 2 ** 20

/** Virtual pages of the entry events of step `index`, in trace order. */
function entryPages(out: RunOutput, index: number, kind: 'entry_clear' | 'entry_set'): { page: number; level: string }[] {
  const log = out.trace.events
  const pages: { page: number; level: string }[] = []
  for (let i = 0; i < log.count; i++) {
    const e = log.decode(i)
    if (e.step === index && e.kind === kind) pages.push({ page: e.before, level: e.level })
  }
  return pages
}

const ascending = (pages: { page: number }[]) => pages.every((p, i) => i === 0 || p.page > pages[i - 1]!.page)

// PTEs faulted out of address order around a PMD leaf: 2 MiB + 4 KiB, 0 (a PMD), 4 MiB, 2 MiB.
const FAULTS = `
  - create: {file: /mnt/pmem0/f, length: 6MiB}
  - mmap: {id: m, file: /mnt/pmem0/f, length: 6MiB}
  - access: {map: m, offset: 2052KiB, size: pte}
  - access: {map: m, offset: 0, size: pmd}
  - access: {map: m, offset: 4MiB, size: pte}
  - access: {map: m, offset: 2MiB, size: pte}`

describe('walks in address order', () => {
  it.each(['6.14', '6.17'])('%s: munmap clears the entries up the range, the PMD leaf first', (kernel) => {
    const out = runYaml(`name: walk\ndescription: d\nprofile: x86-pmem-fsdax\nsteps:${FAULTS}\n  - munmap: {map: m}\n`, kernel)
    const cleared = entryPages(out, 6, 'entry_clear')
    const base = cleared[0]!.page
    expect(cleared.map((c) => [c.page - base, c.level])).toEqual([
      [0, 'pmd'],
      [2 * MiB / 4096, 'pte'],
      [2 * MiB / 4096 + 1, 'pte'],
      [4 * MiB / 4096, 'pte'],
    ])
  })

  it('mprotect write-protects up the range', () => {
    const writes = `
  - create: {file: /mnt/pmem0/f, length: 64KiB}
  - mmap: {id: m, file: /mnt/pmem0/f, length: 64KiB}
  - access: {map: m, offset: 48KiB, write: true}
  - access: {map: m, offset: 4KiB, write: true}
  - access: {map: m, offset: 32KiB, write: true}
  - access: {map: m, offset: 0, write: true}
  - mprotect: {map: m, length: 64KiB, prot: read}`
    const out = runYaml(`name: walk\ndescription: d\nprofile: x86-pmem-fsdax\nsteps:${writes}\n`, '6.17')
    const set = entryPages(out, 6, 'entry_set')
    expect(set).toHaveLength(4)
    expect(ascending(set)).toBe(true)
  })

  it('fork copies a private mapping up the range, and the child exit clears it the same way', () => {
    const cow = `
  - create: {file: /mnt/pmem0/f, length: 64KiB}
  - mmap: {id: m, file: /mnt/pmem0/f, length: 64KiB, shared: false}
  - access: {map: m, offset: 8KiB}
  - access: {map: m, offset: 0, write: true}
  - access: {map: m, offset: 4KiB}
  - fork: {child: c}
  - exit: {task: c}`
    const out = runYaml(`name: walk\ndescription: d\nprofile: x86-pmem-fsdax\nsteps:${cow}\n`, '6.17')
    // copy_present_pte takes a reference on each DAX page it copies (8 KiB was faulted first).
    const log = out.trace.events
    const dup: number[] = []
    for (let i = 0; i < log.count; i++) if (log.step[i] === 5 && log.decode(i).kind === 'refcount') dup.push(log.pfn[i]!)
    expect(dup).toEqual([dup[0], dup[0]! + 1])
    const cleared = entryPages(out, 6, 'entry_clear')
    expect(cleared).toHaveLength(3)
    expect(ascending(cleared)).toBe(true)
  })

  it('a moving mremap moves the entries up the old range', () => {
    const moved = `
  - mmap: {id: d, device: dax0, length: 8MiB}
  - access: {map: d, offset: 6MiB}
  - access: {map: d, offset: 0}
  - access: {map: d, offset: 2MiB}
  - mremap: {map: d, new_id: moved, length: 8MiB, move: true}`
    const out = runYaml(`name: walk\ndescription: d\nprofile: x86-devdax\nsteps:${moved}\n`, '6.17')
    const movedOut = entryPages(out, 4, 'entry_clear')
    expect(movedOut).toHaveLength(3)
    expect(ascending(movedOut)).toBe(true)
    expect(ascending(entryPages(out, 4, 'entry_set'))).toBe(true)
  })
})
