/** The `daxlab` bin as users run it: the built bundle in a child process, against temp databases. */
import { existsSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { builtinScenarioNames } from '../../main/library/index'
import { daxlab, ensureCli, tempDb } from './cli-helpers'

beforeAll(ensureCli, 120_000)

describe('daxlab run', () => {
  it('prints the contract JSON with kernel-correct numbers and stores the run', () => {
    const db = tempDb()
    const r = daxlab(['run', 'fsdax-pin-unpin', '--kernel', '6.14', '--json', '--db', db, '--session', 's1'])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ kernel: '6.14', arch: 'x86', scenario: 'fsdax-pin-unpin', run_id: 1 })
    for (const key of ['steps', 'folios', 'pgmaps', 'violations', 'blocked']) expect(Array.isArray(out[key])).toBe(true)
    const step = out.steps[4]
    expect(Object.keys(step)).toEqual(expect.arrayContaining(['index', 'op', 'task', 'status', 'waited']))
    expect(step.probe).toMatchObject({ pfn: '0x300000', order: 0, refcount: 1025, mapcount: 0, pincount: 0, entry: '0x8200000300000225' })
    expect(out.folios).toEqual([{ pfn: '0x300000', order: 0, region: 'pmem0', refcount: 1, mapcount: 0, pincount: 0 }])
    expect(out.pgmaps).toEqual([{ name: 'pmem0', type: 'FS_DAX', refs: 4194305 }])
    const listed = JSON.parse(daxlab(['runs', 'list', '--json', '--db', db]).stdout)
    expect(listed).toEqual([expect.objectContaining({ id: 1, scenario: 'fsdax-pin-unpin', kernel: '6.14', session: 's1' })])
  })

  it('--no-store leaves no database behind', () => {
    const db = tempDb()
    const r = daxlab(['run', 'fsdax-read-fault', '--kernel', 'refcounted', '--no-store', '--json', '--db', db])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).run_id).toBeUndefined()
    expect(JSON.parse(r.stdout).kernel).toBe('6.17')
    expect(existsSync(db)).toBe(false)
  })

  it.each(builtinScenarioNames())('runs built-in %s under 6.14 and 6.17', (name) => {
    for (const kernel of ['6.14', '6.17']) {
      const r = daxlab(['run', name, '--kernel', kernel, '--no-store'])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout).toContain(`kernel ${kernel}`)
    }
  })

  it('reports blocked tasks and error steps in the JSON', () => {
    const out = JSON.parse(daxlab(['run', 'fsdax-truncate-hang', '--kernel', '6.17', '--no-store', '--json']).stdout)
    expect(out.blocked).toEqual([expect.objectContaining({ task: 'trunc', step: 4 })])
    expect(out.steps[4]).toMatchObject({ status: 'blocked', waited: true })
    const longterm = JSON.parse(daxlab(['run', 'fsdax-longterm-pin', '--no-store', '--json']).stdout)
    expect(longterm.steps[3]).toMatchObject({ status: 'error', error: 'EOPNOTSUPP' })
    const sigbus = JSON.parse(daxlab(['run', 'devdax-pud-fault', '--no-store', '--json']).stdout)
    expect(sigbus.steps[3]).toMatchObject({ status: 'ok', signal: 'SIGBUS' })
  })

  it('runs a scenario file with --arch and --profile overrides', () => {
    const dir = dirname(tempDb())
    const file = join(dir, 'mine.yaml')
    writeFileSync(file, 'name: mine\ndescription: a user scenario\nprofile: x86-devdax\nsteps:\n  - mmap: {id: d, device: dax0, length: 2MiB}\n  - access: {map: d}\n  - probe: {map: d}\n')
    const out = JSON.parse(daxlab(['run', file, '--arch', 'arm64', '--kernel', '6.16', '--no-store', '--json']).stdout)
    expect(out).toMatchObject({ arch: 'arm64', variant: '4K' })
    expect(out.steps[2].probe).toMatchObject({ order: 9, refcount: 2, mapcount: 1 })
  })
})

describe('daxlab compare', () => {
  it('lines up steps across kernels and names the first divergence', () => {
    const r = daxlab(['compare', 'fsdax-truncate-after-munmap', '--kernel', '6.14,6.17'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('first divergence: step 5 (truncate): violations dma_after_release,kernel_warning vs -, waited - vs yes')
    expect(r.stdout).toMatch(/violations in 6\.14 x86: \n {2}step 5 kernel_warning/)
    const json = JSON.parse(daxlab(['compare', 'fsdax-read-fault', '--kernel', 'legacy,refcounted', '--json']).stdout)
    expect(json.firstDivergence).toMatchObject({ step: 1, fields: ['refcount'] })
    // Mapped: refcount 1 in both (legacy idle 1 vs 6.15 idle 0 + the mapping's reference)
    expect(json.steps[4].differs).toEqual(['mapcount', 'entry'])
  })

  it('compares two stored runs by id', () => {
    const db = tempDb()
    daxlab(['run', 'devdax-pmd-fault', '--kernel', '6.14', '--db', db])
    daxlab(['run', 'devdax-pmd-fault', '--kernel', '6.16', '--db', db])
    const json = JSON.parse(daxlab(['compare', '1', '2', '--db', db, '--json']).stdout)
    expect(json.runs.map((r: { runId: number; kernel: string }) => [r.runId, r.kernel])).toEqual([[1, '6.14'], [2, '6.16']])
    expect(json.firstDivergence.step).toBe(2)
  })

  it('needs at least two kernels', () => {
    const r = daxlab(['compare', 'fsdax-read-fault', '--kernel', '6.14'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe('daxlab: error: compare needs at least two kernels or arches (e.g. --kernel 6.14,6.17)')
  })
})

describe('daxlab runs, scenarios, profiles', () => {
  it('shows a stored run with its events', () => {
    const db = tempDb()
    daxlab(['run', 'fsdax-truncate-while-pinned', '--kernel', '6.17', '--db', db])
    const shown = JSON.parse(daxlab(['runs', 'show', '1', '--events', 'wait,wake', '--json', '--db', db]).stdout)
    expect(shown.run_id).toBe(1)
    expect(shown.trace.map((e: { kind: string }) => e.kind)).toEqual(['wait', 'wake'])
    // The wait records the refcount it found: the pin's 1024 once the unmap dropped the mapping's 1.
    expect(shown.trace[0]).toMatchObject({ step: 4, task: 'trunc', before: 1024 })
    expect(daxlab(['runs', 'show', '7', '--db', db]).stderr).toContain('no stored run 7')
  })
  it('lists scenarios and profiles', () => {
    expect(daxlab(['scenarios', 'list']).stdout).toContain('fsdax-truncate-after-munmap')
    const profiles = JSON.parse(daxlab(['profiles', 'list', '--json']).stdout)
    for (const arch of ['x86', 'arm64', 'powerpc', 'riscv', 'loongarch']) {
      const mine = profiles.filter((p: { arch: string }) => p.arch === arch)
      expect(mine.some((p: { regions: string }) => p.regions.includes(':fsdax:'))).toBe(true)
      expect(mine.some((p: { regions: string }) => p.regions.includes(':devdax:'))).toBe(true)
    }
    expect(daxlab(['profiles', 'show', 'x86-devdax']).stdout).toContain('align 2MiB')
  })
  it('validates profile files and names the field, line and reason', () => {
    const dir = dirname(tempDb())
    const good = join(dir, 'good.yaml')
    writeFileSync(good, 'arch: riscv\nregions:\n  - {name: p, type: fsdax, size: 1TiB, fs: xfs, mount: /mnt/p}\n')
    expect(daxlab(['profiles', 'validate', good])).toMatchObject({ code: 0, stdout: `${good}: valid (format, and the machine on riscv, kernel 6.17)\n` })
    const old = daxlab(['profiles', 'validate', good, '--kernel', '6.10'])
    expect(old.code).toBe(1)
    expect(old.stderr).toContain('ZONE_DEVICE cannot be configured on riscv in kernel 6.10')
    expect(daxlab(['profiles', 'validate', join(dir, 'missing.yaml')]).stderr.trim()).toBe(`daxlab: error: ${join(dir, 'missing.yaml')}: no such file`)
    const bad = join(dir, 'bad.yaml')
    writeFileSync(bad, 'arch: x86\nregions:\n  - name: d\n    type: devdax\n    size: 12 parsecs\n')
    const r = daxlab(['profiles', 'validate', bad])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${bad}:5: regions[0].size: '12 parsecs' is not a size`)
  })
  it('gives one clear line for bad input', () => {
    expect(daxlab(['run', 'no-such-scenario']).stderr).toMatch(/^daxlab: error: no-such-scenario: no built-in scenario of that name/)
    expect(daxlab(['run', 'fsdax-read-fault', '--kernel', '4.19', '--no-store']).stderr.trim()).toBe('daxlab: error: kernel 4.19 is not modelled: the lab models 6.1 and later, up to 7.x (the newest release it names is 6.18)')
    const r = daxlab(['run', 'fsdax-read-fault', '--arch', 'riscv', '--variant', 'sv39', '--kernel', '6.10', '--no-store'])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/ZONE_DEVICE cannot be configured on riscv in kernel 6\.10/)
  })
})

describe('daxlab arch', () => {
  it('shows the freed devmap bit between 6.16 and 6.17', () => {
    const r = daxlab(['arch', 'show', 'x86', '--diff', '6.16..6.17'])
    expect(r.stdout).toMatch(/pte\s+57\s+0x0200000000000000\s+DEVMAP\s+SOFTW4\s+freed/)
  })
  it('encodes and decodes entries with kernel flag names', () => {
    expect(daxlab(['arch', 'encode', 'x86', '--level', 'pmd', '--pfn', '0x300000', '--flags', 'PRESENT,RW,USER,ACCESSED,DIRTY,PSE,DEVMAP', '--kernel', '6.14']).stdout.trim()).toBe('0x02000003000000e7')
    expect(JSON.parse(daxlab(['arch', 'decode', 'riscv', '0x200002d7', '--level', 'pmd', '--kernel', '6.16', '--json']).stdout)).toEqual({
      pfn: '0x80000',
      flags: ['PRESENT', 'READ', 'WRITE', 'USER', 'ACCESSED', 'DIRTY', 'DEVMAP'],
      unknown_bits: '0x0',
    })
    const r = daxlab(['arch', 'encode', 'arm64', '--level', 'pte', '--pfn', '1', '--flags', 'DEVMAP', '--kernel', '6.17'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('does not exist in kernel 6.17')
  })
  it('lists the five arches with their variants', () => {
    const list = JSON.parse(daxlab(['arch', 'list', '--json']).stdout)
    expect(list.map((a: { id: string }) => a.id)).toEqual(['arm64', 'loongarch', 'powerpc', 'riscv', 'x86'])
    expect(list.find((a: { id: string }) => a.id === 'powerpc').variants).toEqual(['radix-4k', 'radix-64k', 'hash-4k', 'hash-64k'])
  })
})
