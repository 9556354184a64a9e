/**
 * `remount {mount, options?}`: umount + mount of a DAX filesystem (main/sim/ops/remount.ts). Eviction
 * waits for idle pages from 6.15 (fs/dax.c dax_break_layout_final, called by ext4_evict_inode: "fs/dax:
 * Ensure all pages are idle prior to filesystem unmount"); before, the unmount completes under DMA and
 * the new mount's inode has no DAX entry for the pinned page, so dax_layout_busy_page_range finds
 * nothing to wait for and the truncate frees the block under the pin.
 */
import { describe, expect, it } from 'vitest'
import { parseScenarioText } from '../../../main/formats/load'
import { formatErrorOf, probe, runBuiltin, runYaml, step } from '../helpers'

const HEAD = 'name: t\ndescription: t\nprofile: x86-pmem-fsdax\nsteps:\n'
const PINNED = `  - create: {file: /mnt/pmem0/f, length: 4KiB}
  - mmap: {id: m, file: /mnt/pmem0/f, length: 4KiB}
  - access: {map: m, offset: 0, write: true}
  - gup: {id: dma, map: m, offset: 0, pages: 1, pin: true, write: true}
  - munmap: {map: m}
`
const run = (steps: string, kernel: string) => runYaml(HEAD + steps, kernel).result
const kinds = (r: { violations: { kind: string }[] }) => r.violations.map((v) => v.kind)

const formatError = (steps: string) => formatErrorOf(HEAD + steps)

describe('remount arguments', () => {
  it('refuses a dax mode the lab cannot model, naming the field and why', () => {
    const message = formatError('  - remount: {mount: /mnt/pmem0, options: dax=never}\n')
    expect(message).toContain('steps[0].remount.options')
    expect(message).toContain('dax=never and dax=inode need non-DAX files')
    expect(formatError('  - remount: {}\n')).toContain('steps[0].remount.mount')
    expect(formatError('  - remount: {mount: /mnt/pmem0, ro: true}\n')).toContain('steps[0].remount')
  })

  it('accepts dax and dax=always (the mode the mount already has)', () => {
    for (const options of ['dax', 'dax=always']) expect(() => parseScenarioText(HEAD + `  - remount: {mount: /mnt/pmem0, options: ${options}}\n`, 's.yaml')).not.toThrow()
  })

  it('refuses an unknown mount, an unmounted one and a mapped file with the errno umount(2) returns', () => {
    expect(step(run('  - remount: {mount: /mnt/nothere}\n', '6.17'), 0)).toMatchObject({ status: 'error', error: 'EINVAL' })
    const mapped = run('  - create: {file: /mnt/pmem0/f, length: 4KiB}\n  - mmap: {id: m, file: /mnt/pmem0/f, length: 4KiB}\n  - remount: {mount: /mnt/pmem0}\n', '6.17')
    expect(step(mapped, 2)).toMatchObject({ status: 'error', error: 'EBUSY' })
    const twice = run('  - umount: {mount: /mnt/pmem0}\n  - remount: {mount: /mnt/pmem0}\n', '6.17')
    expect(step(twice, 1)).toMatchObject({ status: 'error', error: 'EINVAL' })
  })
})

describe('remount semantics', () => {
  it('files keep their blocks across the cycle and map again', () => {
    const r = run('  - create: {file: /mnt/pmem0/f, length: 4KiB}\n  - remount: {mount: /mnt/pmem0}\n  - mmap: {id: m, file: /mnt/pmem0/f, length: 4KiB}\n  - access: {map: m, offset: 0}\n  - probe: {label: p, map: m, offset: 0}\n', '6.17')
    expect(r.steps.every((s) => s.status === 'ok')).toBe(true)
    expect(step(r, 1).notes).toContain('/mnt/pmem0 mounted again')
    expect(probe(r, 'p').refcount).toBe(1)
    expect(kinds(r)).toEqual([])
  })

  it('6.15+: a page still pinned blocks the unmount for good (dax_break_layout_final is uninterruptible)', () => {
    for (const kernel of ['6.15', '6.17']) {
      const r = run(PINNED + '  - remount: {task: admin, mount: /mnt/pmem0}\n', kernel)
      expect(step(r, 5).status).toBe('blocked')
      expect(step(r, 5).message).toContain('dax_break_layout_final')
      expect(kinds(r)).toEqual(['task_blocked'])
    }
  })

  it('6.14: the unmount completes under DMA (no wait at eviction)', () => {
    const r = run(PINNED + '  - remount: {task: admin, mount: /mnt/pmem0}\n', '6.14')
    expect(step(r, 5).status).toBe('ok')
    expect(kinds(r)).toContain('not_idle_at_unmount')
  })
})

describe('fsdax-remount-while-pinned', () => {
  it('6.14: the truncate after the remount frees the pinned block, and the next file gets it while DMA runs', () => {
    const r = runBuiltin('fsdax-remount-while-pinned', '6.14')
    expect(kinds(r)).toEqual(['kernel_warning', 'not_idle_at_unmount', 'dma_after_release'])
    const next = probe(r, 'next-file')
    expect(next.refcount).toBe(1025) // the pin's GUP_PIN_COUNTING_BIAS on the new file's page
    expect(r.violations[2]!.step).toBe(6)
  })

  it('6.15, 6.17 and proposal-2022: the remount waits for the unpin; nothing is freed under the pin', () => {
    for (const kernel of ['6.15', '6.17', 'proposal-2022']) {
      const r = runBuiltin('fsdax-remount-while-pinned', kernel)
      expect(kinds(r)).toEqual([])
      expect(step(r, 5)).toMatchObject({ status: 'ok', waited: true })
      expect(probe(r, 'next-file').refcount).toBe(0)
    }
  })
})
