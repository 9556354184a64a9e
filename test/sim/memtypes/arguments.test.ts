/** Bad arguments to the memory-type verbs: one clear error naming the field, never a crash. */
import { describe, expect, it } from 'vitest'
import { parseScenarioText } from '../../../main/formats/load'
import { runYaml } from '../helpers'

const scenario = (profile: string, steps: string) => `name: t\ndescription: t\nprofile: ${profile}\nsteps:\n${steps}`

function formatError(text: string): string {
  try {
    parseScenarioText(text, 's.yaml')
  } catch (e) {
    return (e as Error).message
  }
  throw new Error('parsed')
}

describe('schema errors name the field', () => {
  it.each([
    ['  - migrate: {map: m, to: sideways}', /steps\[0\]\.migrate\.to: expected 'device' or 'ram'/],
    ['  - migrate: {map: m}', /steps\[0\]\.migrate\.to:/],
    ['  - mirror: {map: m}', /steps\[0\]\.mirror\.device:/],
    ['  - snapshot: {device: d, map: m, pages: 0}', /steps\[0\]\.snapshot\.pages:/],
    ['  - unbind: {}', /steps\[0\]\.unbind\.region:/],
    ['  - unbind: {region: r, force: true}', /force/],
    ['  - mmap: {id: a, file: /mnt/pmem0/f, length: 4KiB, thp: true}', /steps\[0\]\.mmap\.thp: thp applies to anonymous mappings only/],
    ['  - mmap: {id: a, file: /mnt/pmem0/f, device: dax0, length: 4KiB}', /give at most one of file or device/],
  ])('%s', (step, message) => {
    expect(formatError(scenario('x86-hmm-private', step))).toMatch(message)
  })
})

describe('run-time errors name the field and the reason', () => {
  const run = (profile: string, steps: string, kernel = '6.17') => runYaml(scenario(profile, steps), kernel).result.steps
  it('migrate: an ambiguous or wrong device, a range past the mapping, a mapping that is not anonymous', () => {
    const steps = run(
      'x86-hmm-private',
      ['  - mmap: {id: m, length: 8KiB, shared: false}', '  - migrate: {map: m, to: device}', '  - migrate: {map: m, to: device, device: ram}', '  - migrate: {map: m, pages: 3, to: device, device: dmirror0}', '  - migrate: {map: m, offset: 100, to: device, device: dmirror0}'].join('\n'),
    )
    expect(steps[1]).toMatchObject({ status: 'error', error: 'EINVAL', message: 'device: name the device (dmirror0, dmirror1)' })
    expect(steps[2]).toMatchObject({ status: 'error', error: 'EINVAL', message: "device: region 'ram' is system-ram, not device-private or device-coherent memory" })
    expect(steps[3]).toMatchObject({ status: 'error', error: 'EINVAL', message: expect.stringMatching(/^pages: 3 pages from offset 0 run past the end/) })
    expect(steps[4]).toMatchObject({ status: 'error', error: 'EINVAL', message: expect.stringMatching(/not page aligned/) })
    const p2p = run('x86-p2pdma', ['  - mmap: {id: m, device: cmb0, length: 4KiB}', '  - migrate: {map: m, to: device}'].join('\n'))
    expect(p2p[1]).toMatchObject({ status: 'error', error: 'EINVAL', message: "map: migrate_vma_setup: mapping 'm' is p2pdma memory (VM_MIXEDMAP / vma_is_dax), only anonymous memory migrates" })
    const none = run('x86-p2pdma', ['  - mmap: {id: m, length: 4KiB, shared: false}', '  - migrate: {map: m, to: device}'].join('\n'))
    expect(none[1]).toMatchObject({ status: 'error', error: 'EINVAL', message: expect.stringMatching(/^device: name the device \(the profile has no device-private/) })
  })
  it('mirror and snapshot name an unknown device; unbind refuses RAM and a second unbind', () => {
    const steps = run(
      'x86-hmm-private',
      ['  - mmap: {id: m, length: 8KiB, shared: false}', '  - mirror: {device: gpu9, map: m}', '  - snapshot: {device: ram, map: m}', '  - unbind: {region: ram}', '  - unbind: {region: dmirror1}', '  - unbind: {region: dmirror1}'].join('\n'),
    )
    expect(steps[1]).toMatchObject({ status: 'error', error: 'ENODEV', message: expect.stringMatching(/no region 'gpu9'/) })
    expect(steps[2]).toMatchObject({ status: 'error', error: 'EINVAL', message: expect.stringMatching(/^device: region 'ram' is system-ram/) })
    expect(steps[3]).toMatchObject({ status: 'error', error: 'EINVAL', message: expect.stringMatching(/^region: 'ram' is system RAM/) })
    expect(steps[4]).toMatchObject({ status: 'ok' })
    expect(steps[5]).toMatchObject({ status: 'error', error: 'ENODEV' })
  })
  it('unbind of a mounted fsdax namespace stops the run as not modelled', () => {
    expect(() => runYaml(scenario('x86-pmem-fsdax', '  - unbind: {region: pmem0}'), '6.17')).toThrow(/not modelled/)
  })
})

describe('anonymous memory', () => {
  const text = scenario(
    'x86-hmm-private',
    [
      '  - mmap: {id: a, length: 4MiB, shared: false, thp: true}',
      '  - access: {map: a, offset: 0}',
      '  - access: {map: a, offset: 2MiB, write: true}',
      '  - mmap: {id: p, length: 8KiB, shared: false}',
      '  - access: {map: p, offset: 0}',
      '  - access: {map: p, offset: 0, write: true}',
      '  - mmap: {id: s, length: 4KiB}',
      '  - access: {map: s, offset: 0}',
      '  - snapshot: {device: dmirror0, map: a, pages: 1}',
      '  - snapshot: {device: dmirror0, map: a, offset: 2MiB, pages: 1}',
      '  - snapshot: {device: dmirror0, map: p, pages: 2}',
      '  - snapshot: {device: dmirror0, map: s, pages: 1}',
      '  - migrate: {map: a, offset: 2MiB, pages: 2, to: device, device: dmirror0}',
      '  - snapshot: {device: dmirror0, map: a, offset: 2MiB, pages: 3}',
    ].join('\n'),
  )
  it.each(['6.14', '6.15', '6.17', 'proposal-2022'])('%s: zero page, THP, huge zero page, shmem, and a THP split for migration', (k) => {
    const steps = runYaml(text, k).result.steps
    expect(steps[1]!.notes).toEqual(['pmd: mapped'])
    expect(steps[5]!.notes).toEqual(['pte: COW to an anon page'])
    expect(steps[7]!.notes).toEqual(['pte: mapped (shmem)'])
    // Huge zero folio (ZERO|READ|PMD), a THP (WRITE|PMD), zero page then its COW copy, shmem (WRITE).
    expect(steps[8]!.snapshot).toEqual([0x15])
    expect(steps[9]!.snapshot).toEqual([0x06])
    expect(steps[10]!.snapshot).toEqual([0x02, 0x00])
    expect(steps[11]!.snapshot).toEqual([0x02])
    expect(steps[12]).toMatchObject({ status: 'ok', cpages: 2, notes: ['page 0: THP split (migrate_vma_collect_pmd)'] })
    expect(steps[13]!.snapshot).toEqual([0x22, 0x22, 0x02])
  })
})

describe('mirror write on the device\'s own read-only device-private entry', () => {
  it.each(['6.14', '6.17', 'proposal-2022'])('%s: hmm_range_fault reports it without faulting: dmirror_do_fault WARNs and fails with -EFAULT', (k) => {
    const { result } = runYaml(
      scenario('x86-hmm-private', ['  - mmap: {id: m, length: 4KiB, shared: false}', '  - access: {map: m, write: true}', '  - migrate: {map: m, to: device, device: dmirror0}', '  - fork: {child: c}', '  - mirror: {device: dmirror0, map: m, write: true}', '  - mirror: {device: dmirror1, map: m, write: true}'].join('\n')),
      k,
    )
    expect(result.steps[4]).toMatchObject({ status: 'error', error: 'EFAULT', cpages: 0, faults: 1 })
    expect(result.violations.map((v) => v.kind)).toEqual(['kernel_warning'])
    // Another device faults it: migrate_to_ram for both processes, then COW for the writer.
    expect(result.steps[5]).toMatchObject({ status: 'ok', cpages: 1, resides: ['ram'] })
  })
})
