/**
 * The new step verbs' argument checks and edge rules: each bad argument is one error naming the field,
 * each refusal the errno the syscall returns, with the kernel function cited in the engine.
 */
import { describe, expect, it } from 'vitest'
import { parseFastYaml, parseScenarioText } from '../../../main/formats/load'
import { EventKind } from '../../../main/sim/events'
import { formatErrorOf, probe, runYaml, step } from '../helpers'

const HEAD = 'name: t\ndescription: t\nprofile: x86-pmem-fsdax\nsteps:\n'
const FILE = '  - create: {file: /mnt/pmem0/f, length: 4MiB}\n  - mmap: {id: m, file: /mnt/pmem0/f, length: 4MiB}\n'

const formatError = (steps: string) => formatErrorOf(HEAD + steps)

const run = (steps: string, kernel = '6.17', profile = 'x86-pmem-fsdax') => runYaml(HEAD.replace('x86-pmem-fsdax', profile) + steps, kernel).result

describe('schemas name the field', () => {
  it.each([
    ['  - mmap: {id: m, file: /mnt/pmem0/f, length: 4KiB, prot: write}\n', 'steps[0].mmap.prot'],
    ['  - mprotect: {map: m, prot: rwx}\n', 'steps[0].mprotect.prot'],
    ['  - mprotect: {map: m}\n', 'steps[0].mprotect.prot'],
    ['  - madvise: {map: m, length: 4KiB, advice: willneed}\n', 'steps[0].madvise.advice'],
    ['  - madvise: {map: m, advice: dontneed}\n', 'steps[0].madvise.length'],
    ['  - mremap: {map: m}\n', 'steps[0].mremap.length'],
    ['  - mremap: {map: m, length: 4KiB, fixed: true}\n', 'steps[0].mremap'],
    ['  - odirect: {file: /x, map: m, length: 4KiB, direction: sideways}\n', 'steps[0].odirect.direction'],
    ['  - fallocate: {file: /mnt/pmem0/f, mode: keep_size, length: 4KiB}\n', 'steps[0].fallocate.mode'],
    ['  - badblock: {region: pmem0, length: lots}\n', 'steps[0].badblock.length'],
    ['  - munmap: {map: m, length: -1}\n', 'steps[0].munmap.length'],
    ['  - complete: {}\n', 'steps[0].complete.io'],
  ])('%s', (steps, field) => {
    const message = formatError(steps)
    expect(message).toContain(field)
    expect(message.split('\n')).toHaveLength(1)
  })
  it('the fast one-line reader gives what the full parser gives for every new verb', () => {
    const steps = [
      '  - mmap: {id: m, file: /mnt/pmem0/f, length: 4MiB, prot: read-write}',
      '  - mprotect: {map: m, offset: 4KiB, length: 8KiB, prot: none}',
      '  - munmap: {map: m, offset: 0, length: 4KiB}',
      '  - munlock: {map: m}',
      '  - mremap: {map: m, new_id: n, length: 8MiB, move: true, dontunmap: false}',
      '  - madvise: {map: m, offset: 0, length: 4KiB, advice: soft_offline}',
      '  - odirect: {id: io, file: /mnt/other/x, map: m, offset: 512, length: 1KiB, direction: read, file_offset: 0}',
      '  - complete: {io: io}',
      '  - fallocate: {file: /mnt/pmem0/f, mode: collapse_range, offset: 64KiB, length: 64KiB}',
      '  - badblock: {region: pmem0, offset: 0, length: 512}',
    ]
    const text = HEAD + steps.join('\n') + '\n'
    const fast = parseFastYaml(text)
    expect(fast).toBeDefined()
    const viaFast = parseScenarioText(text, 'a.yaml')
    // A block-style copy the fast reader declines: the full parser's answer.
    const block = HEAD + steps.map((s) => s.replace(/^ {2}- (\w+): \{(.*)\}$/, (_m, op: string, body: string) => `  - ${op}:\n` + body.split(', ').map((kv) => `      ${kv}`).join('\n'))).join('\n') + '\n'
    expect(parseFastYaml(block)).toBeUndefined()
    expect(parseScenarioText(block, 'b.yaml').steps).toEqual(viaFast.steps)
  })
})

describe('syscall refusals', () => {
  it('munmap/mprotect/madvise need a page-aligned offset (EINVAL) and a mapped range (ENOMEM)', () => {
    const r = run(FILE + '  - munmap: {map: m, offset: 100, length: 4KiB}\n  - munmap: {map: m, offset: 1MiB, length: 4KiB}\n  - mprotect: {map: m, offset: 0, length: 2MiB, prot: read}\n  - madvise: {map: m, offset: 1MiB, length: 8KiB, advice: dontneed}\n')
    expect(step(r, 2)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 2).message).toContain('offset 100')
    expect(step(r, 3)).toMatchObject({ status: 'ok' })
    expect(step(r, 4)).toMatchObject({ status: 'error', error: 'ENOMEM' })
    expect(step(r, 5)).toMatchObject({ status: 'error', error: 'ENOMEM' })
  })
  it('munmap of every piece removes the mapping and drops the file reference (unlink then evicts)', () => {
    const r = run(FILE + '  - access: {map: m, offset: 0}\n  - unlink: {file: /mnt/pmem0/f}\n  - munmap: {map: m, offset: 0, length: 2MiB}\n  - probe: {label: half, region: pmem0, offset: 0}\n  - munmap: {map: m, offset: 2MiB, length: 2MiB}\n  - access: {map: m, offset: 0}\n')
    expect(step(r, 3).notes).toContain('inode kept alive by 1 mapping(s); evicted at the last munmap')
    expect(step(r, 4).status).toBe('ok')
    expect(probe(r, 'half')).toMatchObject({ refcount: 0, mapcount: 0 })
    expect(step(r, 6).status).toBe('ok')
    expect(step(r, 7)).toMatchObject({ status: 'error', error: 'EFAULT' }) // the mapping is gone
  })
  it('PROT_NONE: access SIGSEGV, GUP EFAULT even where an entry is present, mlock skips it', () => {
    const r = run(FILE + '  - access: {map: m, offset: 0}\n  - mprotect: {map: m, offset: 0, length: 2MiB, prot: none}\n  - access: {map: m, offset: 0}\n  - gup: {id: g, map: m, offset: 0}\n  - mlock: {map: m}\n  - probe: {label: none, map: m, offset: 4KiB}\n  - probe: {label: rw, map: m, offset: 2MiB}\n')
    expect(step(r, 4)).toMatchObject({ signal: 'SIGSEGV', si_code: 'SEGV_ACCERR' })
    expect(step(r, 5)).toMatchObject({ status: 'error', error: 'EFAULT' })
    expect(step(r, 5).notes).toContain('gup-fast bailed at page 0: pte_protnone (PROT_NONE); slow path')
    // The PMD stays present (a PROT_NONE entry in the kernel; the lab shows it read-only).
    expect(BigInt(probe(r, 'none').entry!) & 2n).toBe(0n)
    expect(probe(r, 'rw').level).toBe('pmd')
  })
  it('mmap prot: read gives a read-only device-dax PMD; a private PROT_READ mapping is not COWed by mlock', () => {
    const dev = runYaml('name: t\ndescription: t\nprofile: x86-devdax\nsteps:\n  - mmap: {id: d, device: dax0, length: 2MiB, prot: read}\n  - access: {map: d, offset: 0}\n  - probe: {label: ro, map: d, offset: 0}\n', '6.17').result
    expect(BigInt(probe(dev, 'ro').entry!) & 2n).toBe(0n)
    const priv = run('  - create: {file: /mnt/pmem0/f, length: 64KiB}\n  - mmap: {id: p, file: /mnt/pmem0/f, length: 64KiB, shared: false, prot: read}\n  - mlock: {map: p}\n  - probe: {label: p, map: p, offset: 0}\n')
    expect(probe(priv, 'p')).toMatchObject({ region: 'pmem0', mapcount: 1 })
    expect(step(priv, 2).notes?.[0]).not.toContain('FOLL_WRITE')
  })
  it('mremap: dontunmap needs move and the same length; an id in use, a split mapping, no room in place', () => {
    const r = run(FILE + '  - mmap: {id: n, file: /mnt/pmem0/f, length: 64KiB}\n  - mremap: {map: m, new_id: x, length: 4MiB, dontunmap: true}\n  - mremap: {map: m, new_id: x, length: 8MiB, move: true, dontunmap: true}\n  - mremap: {map: m, new_id: n, length: 4MiB, move: true}\n  - mremap: {map: m, length: 1GiB}\n  - mprotect: {map: m, length: 4KiB, prot: read}\n  - mremap: {map: m, new_id: y, length: 4MiB, move: true}\n  - mremap: {map: n, length: 128KiB}\n')
    expect(step(r, 3)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 4)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 5)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 6)).toMatchObject({ status: 'error', error: 'ENOMEM' })
    expect(step(r, 8)).toMatchObject({ status: 'error', error: 'EFAULT' })
    expect(step(r, 9)).toMatchObject({ status: 'ok' }) // room after n: grows in place
  })
  it('odirect: O_DIRECT alignment is EINVAL naming the field; a buffer past the mapping is EFAULT', () => {
    const r = run(FILE + '  - odirect: {file: /mnt/other/x, map: m, offset: 100, length: 4KiB, direction: write}\n  - odirect: {file: /mnt/other/x, map: m, offset: 4MiB, length: 4KiB, direction: write}\n  - odirect: {file: relative, map: m, offset: 0, length: 4KiB, direction: write}\n  - complete: {io: nothing}\n')
    expect(step(r, 2)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 2).message).toContain('offset 100')
    expect(step(r, 3)).toMatchObject({ status: 'error', error: 'EFAULT' })
    // A relative path with one DAX mount resolves to that mount: dax_iomap_rw, which needs the file.
    expect(step(r, 4)).toMatchObject({ status: 'error', error: 'ENOENT' })
    expect(step(r, 5)).toMatchObject({ status: 'error', error: 'EINVAL' })
  })
  it('fallocate on virtiofs has no collapse/insert; allocate grows the file; length 0 is EINVAL', () => {
    const v = runYaml('name: t\ndescription: t\nprofile: x86-virtiofs\nsteps:\n  - create: {file: /mnt/virtiofs/f, length: 64KiB}\n  - fallocate: {file: /mnt/virtiofs/f, mode: insert_range, offset: 0, length: 4KiB}\n  - fallocate: {file: /mnt/virtiofs/f, mode: allocate, offset: 64KiB, length: 64KiB}\n  - probe: {label: grown, file: /mnt/virtiofs/f, offset: 100KiB}\n  - fallocate: {file: /mnt/virtiofs/f, mode: allocate, offset: 0, length: 0}\n', '6.17').result
    expect(step(v, 1)).toMatchObject({ status: 'error', error: 'EOPNOTSUPP' })
    expect(step(v, 2)).toMatchObject({ status: 'ok' })
    expect(probe(v, 'grown').pfn).not.toBeNull()
    expect(step(v, 4)).toMatchObject({ status: 'error', error: 'EINVAL' })
  })
  it('ext4 zero_range keeps the blocks, xfs frees and reallocates them', () => {
    const steps = '  - create: {file: /mnt/pmem0/f, length: 64KiB}\n  - probe: {label: before, file: /mnt/pmem0/f, offset: 0}\n  - create: {file: /mnt/pmem0/g, length: 64KiB}\n  - fallocate: {file: /mnt/pmem0/f, mode: zero_range, offset: 0, length: 64KiB}\n  - probe: {label: after, file: /mnt/pmem0/f, offset: 0}\n'
    const blockFrees = (profile: string) => {
      const out = runYaml(HEAD.replace('x86-pmem-fsdax', profile) + steps, '6.17')
      const cols = out.trace.events.columns()
      return Array.from(cols.kind.subarray(0, cols.count)).filter((k) => k === EventKind.BLOCK_FREE).length
    }
    expect(blockFrees('x86-pmem-fsdax')).toBe(0)
    expect(blockFrees('x86-pmem-xfs')).toBe(1)
    const ext4 = run(steps)
    expect(probe(ext4, 'after').pfn).toBe(probe(ext4, 'before').pfn)
  })
  it('badblock: only pmem regions, inside the region', () => {
    const r = run('  - badblock: {region: ram, length: 4KiB}\n  - badblock: {region: pmem0, offset: 16GiB, length: 4KiB}\n  - badblock: {region: pmem0, offset: 0, length: 0}\n')
    expect(step(r, 0)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 1)).toMatchObject({ status: 'error', error: 'EINVAL' })
    expect(step(r, 2)).toMatchObject({ status: 'error', error: 'EINVAL' })
  })
  it('madvise hwpoison on a hole (the zero page) is refused as outside the model, with nothing left referenced', () => {
    const r = run('  - create: {file: /mnt/pmem0/f, length: 64KiB, sparse: true}\n  - mmap: {id: m, file: /mnt/pmem0/f, length: 64KiB}\n  - madvise: {map: m, offset: 0, length: 4KiB, advice: hwpoison}\n')
    expect(step(r, 2)).toMatchObject({ status: 'error', error: 'ENXIO' })
    expect(r.violations).toEqual([])
  })
})
