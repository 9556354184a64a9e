import { describe, expect, it } from 'vitest'
import { kernelModel, resolveKernel } from '../../main/sim/kernel-model'
import { ModelError } from '../../main/sim/errors'
import { runBuiltin, runYaml } from './helpers'

describe('kernel models', () => {
  it('maps releases to schemes and quirks', () => {
    expect(kernelModel('legacy')).toMatchObject({ label: '6.14', scheme: 'legacy', devmapHelpers: true, busyScanNeedsMapping: true })
    expect(kernelModel('6.15')).toMatchObject({ scheme: 'refcounted', devmapHelpers: true, specialDaxHugeLeaves: true, finalLayoutBreak: true })
    expect(kernelModel('refcounted')).toMatchObject({ label: '6.17', devmapHelpers: false, specialDaxHugeLeaves: false })
    expect(kernelModel('6.15.3').label).toBe('6.15.3')
  })
  it('refuses releases it does not model, naming why', () => {
    expect(() => resolveKernel('5.15')).toThrow(/6\.1 and later/)
    expect(() => resolveKernel('banana')).toThrow(/not a release/)
  })
  it('takes only its own aliases: Object prototype names are not releases', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(() => resolveKernel(name)).toThrow(/not a release/)
  })
})

describe('engine properties', () => {
  it('is deterministic: same inputs, same result and trace', () => {
    const text = `name: d
description: determinism
profile: x86-pmem-fsdax
steps:
  - create: {file: /mnt/pmem0/a, length: 8MiB}
  - mmap: {id: m, file: /mnt/pmem0/a, length: 8MiB}
  - mlock: {map: m}
  - gup: {id: g, map: m, offset: 1MiB, pages: 64, pin: true}
  - truncate: {task: t, file: /mnt/pmem0/a, length: 0}
  - unpin: {gup: g}
`
    const a = runYaml(text, '6.16')
    const b = runYaml(text, '6.16')
    expect(JSON.stringify(a.result)).toBe(JSON.stringify(b.result))
    expect(a.trace.events.count).toBe(b.trace.events.count)
    expect(Buffer.from(a.trace.events.columns().after.buffer, 0, a.trace.events.count * 8)).toEqual(Buffer.from(b.trace.events.columns().after.buffer, 0, b.trace.events.count * 8))
  })
  it('makes the folio list when first read, in its key place, from the counts the run ended with', () => {
    const text = `name: f
description: folio list
profile: x86-pmem-fsdax
steps:
  - create: {file: /mnt/pmem0/a, length: 8MiB}
  - mmap: {id: m, file: /mnt/pmem0/a, length: 8MiB}
  - access: {map: m, offset: 4MiB, write: true}
  - gup: {id: g, map: m, offset: 4MiB, pages: 2, pin: true}
`
    const { result } = runYaml(text, '6.17')
    const keys = Object.keys(result)
    expect(keys.indexOf('folios')).toBe(keys.indexOf('steps') + 1)
    expect(Object.getOwnPropertyDescriptor(result, 'folios')!.get).toBeTypeOf('function')
    const first = result.folios
    expect(Object.getOwnPropertyDescriptor(result, 'folios')).toMatchObject({ value: first, enumerable: true, writable: true })
    expect(result.folios).toBe(first)
    // The PMD folio the write fault mapped: the mapping's reference, the pin's 2 references and 2 pins.
    expect(first).toEqual([{ pfn: expect.stringMatching(/^0x[0-9a-f]+$/), order: 9, region: 'pmem0', refcount: 3, mapcount: 1, pincount: 2 }])
    expect(JSON.parse(JSON.stringify(result)).folios).toEqual(first)
  })
  it('keeps state sparse: a 1 TiB pmem profile runs with a handful of folio records', () => {
    const text = `name: big
description: 1 TiB
profile: x86-pmem-1tib
steps:
  - create: {file: /mnt/pmem0/huge, length: 512GiB}
  - mmap: {id: m, file: /mnt/pmem0/huge, length: 512GiB}
  - access: {map: m, offset: 511GiB}
  - gup: {id: g, map: m, offset: 300GiB, pages: 8, pin: true}
  - probe: {label: far, map: m, offset: 511GiB}
`
    const { result } = runYaml(text, '6.17')
    expect(result.steps.every((s) => s.status === 'ok')).toBe(true)
    expect(result.folios.length).toBe(2)
    expect(result.steps[4]!.probe).toMatchObject({ order: 9, refcount: 1, mapcount: 1 })
    expect(result.pgmaps[0]!.refs).toBe(1 + 2 ** 40 / 4096)
  })
  it('blocks a task and queues its later steps while other tasks go on', () => {
    const text = `name: q
description: queued steps
profile: x86-pmem-fsdax
steps:
  - create: {file: /mnt/pmem0/a, length: 64KiB}
  - mmap: {id: m, file: /mnt/pmem0/a, length: 64KiB}
  - access: {map: m}
  - gup: {id: g, map: m, pin: true}
  - truncate: {task: t, file: /mnt/pmem0/a, length: 0}
  - probe: {task: t, label: queued, region: pmem0}
  - probe: {label: meanwhile, region: pmem0}
  - unpin: {gup: g}
`
    const { result } = runYaml(text, '6.17')
    expect(result.steps[4]).toMatchObject({ status: 'ok', waited: true, completed_after: 7 })
    expect(result.steps[5]!.probe!.refcount).toBe(0) // ran after the truncate completed
    expect(result.steps[6]!.probe!.refcount).toBe(1024) // ran while t was blocked
  })
  it('refuses ZONE_DEVICE where the kernel cannot configure it', () => {
    expect(() => runBuiltin('fsdax-read-fault', '6.10', { arch: 'riscv', variant: 'sv39' })).toThrow(ModelError)
    expect(() => runBuiltin('fsdax-read-fault', '6.10', { arch: 'riscv', variant: 'sv39' })).toThrow(/ARCH_HAS_PTE_DEVMAP/)
    expect(runBuiltin('fsdax-read-fault', '6.11', { arch: 'riscv', variant: 'sv39' }).steps.every((s) => s.status === 'ok')).toBe(true)
  })
  it('never tries a PMD fault where the variant has no PMD leaves (powerpc hash-4k: no THP)', () => {
    const r = runBuiltin('fsdax-pmd-fault', '6.14', { arch: 'powerpc', variant: 'hash-4k' })
    expect(r.steps[2]!.notes).toEqual(['pte: mapped'])
    expect(r.steps[3]!.probe).toMatchObject({ level: 'pte', order: 0 })
    expect(() => runBuiltin('devdax-pmd-fault', '6.14', { arch: 'powerpc', variant: 'hash-4k' })).toThrow(/accepts 4KiB\)/)
  })
  it('refuses a device-dax align the arch cannot map', () => {
    expect(() => runBuiltin('devdax-pmd-fault', '6.17', { arch: 'arm64', variant: '64K' })).toThrow(/dax_align_valid/)
  })
  it('refuses to mmap device-private memory with one error naming the field (it is reached by migration)', () => {
    const text = `name: p
description: hmm
profile:
  arch: x86
  regions: [{name: dev0, type: device-private, size: 1GiB}]
steps:
  - mmap: {id: m, device: dev0, length: 4KiB}
`
    expect(runYaml(text, '6.17').result.steps[0]).toMatchObject({ status: 'error', error: 'ENODEV', message: expect.stringMatching(/^device: region 'dev0' is device-private memory/) })
  })
  it('undoes a GUP that faults past EOF: references and pgmap refs go back', () => {
    const text = `name: g
description: gup past EOF
profile: x86-pmem-fsdax
steps:
  - create: {file: /mnt/pmem0/small, length: 8KiB}
  - mmap: {id: m, file: /mnt/pmem0/small, length: 16KiB}
  - access: {map: m}
  - gup: {id: g, map: m, pages: 3, pin: true, fast: false}
  - probe: {label: after, map: m}
`
    for (const k of ['6.14', '6.17']) {
      const { result } = runYaml(text, k)
      expect(result.steps[3]).toMatchObject({ status: 'error', error: 'EFAULT' })
      expect(result.steps[4]!.probe!.refcount).toBe(1)
      expect(result.pgmaps[0]!.refs).toBe(1 + (16 * 2 ** 30) / 4096)
    }
  })
  it('fork copies virtiofs (VM_MIXEDMAP) DAX entries but not ext4 ones', () => {
    const text = (profile: string, file: string) => `name: f
description: fork
profile: ${profile}
steps:
  - create: {file: ${file}, length: 64KiB}
  - mmap: {id: m, file: ${file}, length: 64KiB}
  - access: {map: m}
  - fork: {child: c}
  - probe: {label: p, map: m}
`
    const virtiofs = runYaml(text('x86-virtiofs', '/mnt/virtiofs/a'), '6.17').result
    expect(virtiofs.steps[3]!.notes).toEqual(['m: entries copied (VM_MIXEDMAP)'])
    expect(virtiofs.steps[4]!.probe).toMatchObject({ refcount: 2, mapcount: 2 })
    const ext4 = runYaml(text('x86-pmem-fsdax', '/mnt/pmem0/a'), '6.17').result
    expect(ext4.steps[4]!.probe).toMatchObject({ refcount: 1, mapcount: 1 })
    const legacy = runYaml(text('x86-virtiofs', '/mnt/virtiofs/a'), '6.14').result
    expect(legacy.steps[4]!.probe).toMatchObject({ refcount: 1, mapcount: 0 })
  })
  it('reports errnos for impossible requests', () => {
    const text = `name: e
description: errors
profile: x86-devdax
steps:
  - mmap: {id: m, device: dax0, length: 4MiB, shared: false}
  - mmap: {id: m, device: dax0, length: 3MiB}
  - gup: {id: g, map: nope}
  - unpin: {gup: nope}
`
    const { result } = runYaml(text, '6.17')
    expect(result.steps.map((s) => s.error)).toEqual(['EINVAL', 'EINVAL', 'EFAULT', 'EINVAL'])
  })
})
