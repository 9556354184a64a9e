/**
 * The CLI facing bad or hostile input and big runs, as users run it (the built bundle in a child
 * process): one clear line naming the option or field, the right exit code, nothing raw on the terminal.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { MAX_INPUT_BYTES } from '../../main/formats/limits'
import { builtinScenarioNames } from '../../main/library/index'
import { daxlab, ensureCli, tempDb } from './cli-helpers'

beforeAll(ensureCli, 120_000)

function tempFile(name: string, text: string): string {
  const file = join(dirname(tempDb()), name)
  writeFileSync(file, text)
  return file
}

const HEAD = 'name: s\ndescription: d\nprofile: x86-pmem-fsdax\n'

describe('option values', () => {
  it.each([
    [['runs', 'list', '--limit', 'abc'], "daxlab: error: --limit 'abc' is not a whole number (write digits only, e.g. 20)"],
    [['runs', 'list', '--limit', '0'], 'daxlab: error: --limit 0 is out of range (1 to 9007199254740991)'],
    [['runs', 'show', '1e0'], "daxlab: error: '1e0' is not a run id (a whole number such as 12; see daxlab runs list)"],
    [['compare', '1e0', '2'], "daxlab: error: '1e0' is not a run id (a whole number such as 12; see daxlab runs list)"],
    [['arch', 'encode', 'loongarch', '--level', 'pte', '--pfn', '1', '--flags', 'PLV='], "daxlab: error: --flags: 'PLV=' needs a value after '=' (e.g. PLV=1)"],
    [['arch', 'encode', 'loongarch', '--level', 'pte', '--pfn', '1', '--flags', 'PLV=abc'], "daxlab: error: --flags: 'PLV=abc': 'abc' is not a number (0x... or decimal)"],
    [['serve', '--port', '99999'], 'daxlab: error: --port 99999 is out of range (0 to 65535)'],
  ])('%j is a usage error (exit 2) with one line', (args, line) => {
    const db = tempDb()
    const r = daxlab([...args, ...(args[0] === 'runs' || args[0] === 'compare' ? ['--db', db] : [])])
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe(line)
  })

  it('--kernel past the modelled range names the range and the newest release (exit 1)', () => {
    const r = daxlab(['run', 'fsdax-read-fault', '--kernel', '8.0', '--no-store'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe('daxlab: error: kernel 8.0 is not modelled: the lab models 6.1 and later, up to 7.x (the newest release it names is 6.18)')
  })

  it.each(['toString', 'constructor', '__proto__'])('--kernel %s is not an alias', (name) => {
    const r = daxlab(['run', 'fsdax-read-fault', '--kernel', name, '--no-store'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(`daxlab: error: '${name}' is not a kernel release like 6.14 or 6.15.2, nor an alias: legacy (6.14), refcounted (6.17), nor a named model: proposal-2022`)
  })

  it('PLV=3 still encodes (a checked value goes through)', () => {
    expect(daxlab(['arch', 'encode', 'loongarch', '--level', 'pte', '--pfn', '1', '--flags', 'PLV=3']).stdout.trim()).toBe('0x000000000000400c')
  })
})

describe('files', () => {
  it('a directory is named as one', () => {
    const dir = dirname(tempDb())
    const r = daxlab(['run', dir + '/'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(`daxlab: error: ${dir}/: is a directory, not a file`)
  })

  it('a file over the size cap is refused before it is read', () => {
    const file = tempFile('huge.yaml', '#'.repeat(MAX_INPUT_BYTES + 10))
    const r = daxlab(['run', file, '--no-store'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(`daxlab: error: ${file}: the file is 16.0 MiB: at most 16 MiB`)
  })

  it('a step named after an Object member is an unknown operation, not a crash', () => {
    const file = tempFile('proto.yaml', `${HEAD}steps:\n  - toString: {}\n`)
    const r = daxlab(['run', file, '--no-store'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`${file}:5: steps[0].toString: unknown operation 'toString'`)
  })

  it('an unusable --db fails before the run is computed', () => {
    const file = tempFile('slow.yaml', `${HEAD}steps:\n  - create: {file: /mnt/pmem0/f, length: 4KiB}\n`)
    const db = join(dirname(file), 'not-a-db.sqlite')
    writeFileSync(db, 'plain text, not SQLite')
    const r = daxlab(['run', file, '--db', db])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toMatch(/^daxlab: error: .*not-a-db\.sqlite: not a daxlab database/)
    // No progress output: the run never started.
    expect(r.stderr).not.toContain('step')
  })
})

describe('terminal injection', () => {
  it('escapes ANSI and bidi controls in names and labels in text output, keeps them in JSON', () => {
    const label = 'x\u001b[31mRED\u202eevil'
    const file = tempFile('inject.yaml', `${HEAD}steps:\n  - create: {file: /mnt/pmem0/f, length: 4KiB}\n  - mmap: {id: m, file: /mnt/pmem0/f, length: 4KiB}\n  - probe: {label: "${label.replace('\u001b', '\\e').replace('\u202e', '\\u202e')}", map: m}\n`)
    const text = daxlab(['run', file, '--no-store'])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).not.toContain('\u001b')
    expect(text.stdout).not.toContain('\u202e')
    expect(text.stdout).toContain('x\\u{1b}[31mRED\\u{202e}evil')
    const json = JSON.parse(daxlab(['run', file, '--no-store', '--json']).stdout)
    expect(json.steps[2].probe.label).toBe(label)
  })

  it('escapes them in error messages too', () => {
    const r = daxlab(['run', 'no\u001b[2Jsuch'])
    expect(r.stderr).not.toContain('\u001b')
    expect(r.stderr).toContain('no\\u{1b}[2Jsuch')
  })
})

describe('first contact', () => {
  it('scenarios show of an unknown name lists the built-ins', () => {
    const r = daxlab(['scenarios', 'show', 'nope'])
    expect(r.code).toBe(2)
    expect(r.stderr.trim()).toBe(`daxlab: error: no built-in scenario 'nope' (built-ins: ${builtinScenarioNames().join(', ')})`)
  })

  it("profiles validate checks a scenario's machine against the scenario's own kernel", () => {
    const file = tempFile('riscv.yaml', 'name: r\ndescription: d\nkernel: "6.10"\nprofile:\n  arch: riscv\n  regions:\n    - {name: p, type: fsdax, size: 1GiB, fs: ext4, mount: /mnt/p}\nsteps:\n  - exit: {}\n')
    const r = daxlab(['profiles', 'validate', file])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('ZONE_DEVICE cannot be configured on riscv in kernel 6.10')
    const ok = daxlab(['profiles', 'validate', file, '--kernel', '6.17'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toContain('kernel 6.17')
  })

  it('profiles validate reads JSON scenarios as scenarios', () => {
    const file = tempFile('s.json', JSON.stringify({ name: 's', description: 'd', profile: 'x86-pmem-fsdax', kernel: '6.14', steps: [{ exit: {} }] }))
    const r = daxlab(['profiles', 'validate', file])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('kernel 6.14')
  })
})

describe('physical addresses past the arch PFN field', () => {
  // x86 4-level: address bits 12..51 (4 PiB). 5 PiB of pmem puts the region's end above that.
  const profile = 'arch: x86\nregions:\n  - {name: big, type: fsdax, size: 5PiB, fs: ext4, mount: /mnt/big}\n'
  const reason = "region 'big' reaches physical address 0x140000ffffffff (pfn 0x140000fffff; regions are placed from 4 GiB up, each on a 1 GiB boundary), but x86 4-level PTEs hold pfns up to 0xffffffffff (address bits 12..51, 4PiB of physical address space): make the regions smaller"

  it('profiles validate refuses it, naming the region and the limit', () => {
    const r = daxlab(['profiles', 'validate', tempFile('big.yaml', profile)])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(`daxlab: error: ${reason}`)
  })

  it('run refuses it at start, before any step', () => {
    const file = tempFile('big-s.yaml', `name: s\ndescription: d\nprofile:\n${profile.trimEnd().replace(/^/gm, '  ')}\nsteps:\n  - create: {file: /mnt/big/f, length: 4KiB}\n`)
    const r = daxlab(['run', file, '--no-store'])
    expect(r.code).toBe(1)
    expect(r.stderr.trim()).toBe(`daxlab: error: ${reason}`)
  })
})

describe('big runs', () => {
  it('runs show of a run with 200k violations summarises instead of crashing; --limit and --all', () => {
    // 4 KiB device DAX: every page is its own folio, so unpin_user_pages() of FOLL_GET references
    // (gup_put_folio per folio, refs * GUP_PIN_COUNTING_BIAS) underflows each page's refcount once.
    const profile = 'profile: {name: p, arch: x86, regions: [{name: dax0, type: devdax, size: 1GiB, align: 4KiB}]}\n'
    const file = tempFile('viol.yaml', `name: s\ndescription: d\n${profile}steps:\n  - mmap: {id: m, device: dax0, length: 800MiB}\n  - gup: {id: g, map: m, pages: 200000}\n  - unpin: {gup: g}\n`)
    const db = tempDb()
    mkdirSync(dirname(db), { recursive: true })
    const run = daxlab(['run', file, '--db', db])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('... 199950 more violations (--limit N or --all to show them)')
    const show = daxlab(['runs', 'show', '1', '--db', db, '--events', '--limit', '5'])
    expect(show.code, show.stderr).toBe(0)
    expect(show.stdout).toContain('... 199995 more violations')
    expect(show.stdout).toContain('... more events (--limit N or --all to show them)')
    const all = daxlab(['runs', 'show', '1', '--db', db, '--all'])
    expect(all.code, all.stderr).toBe(0)
    expect(all.stdout.match(/refcount_underflow/g)).toHaveLength(200000)
  }, 120_000)
})
