/**
 * Saved profiles and scenarios from the CLI (the bundle in a child process): `profiles import`, `list`
 * with its `source` column, `--profile NAME` on run, compare and sweep, `export`, `delete`, and
 * `scenarios import` + `daxlab run NAME`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { builtinProfileNames, builtinScenarioText } from '../../main/library/index'
import { daxlab, ensureCli, tempDb } from './cli-helpers'

beforeAll(ensureCli, 120_000)

const BOX = `name: cli-box
description: imported from a file
arch: arm64
variant: 4K
regions:
  - {name: pmem0, type: fsdax, size: 4GiB, fs: xfs, mount: /mnt/pmem0}
`

function imported(): { db: string; dir: string } {
  const db = tempDb()
  const dir = dirname(db)
  writeFileSync(join(dir, 'box.yaml'), BOX)
  const r = daxlab(['profiles', 'import', join(dir, 'box.yaml'), '--db', db])
  expect(r.code, r.stderr).toBe(0)
  expect(r.stdout).toBe(`saved profile 'cli-box' from ${join(dir, 'box.yaml')}\n`)
  return { db, dir }
}

describe('daxlab profiles with saved profiles', () => {
  it('lists built-ins and saved profiles with a source field', () => {
    const { db } = imported()
    const list = JSON.parse(daxlab(['profiles', 'list', '--json', '--db', db]).stdout) as { name: string; source: string; arch: string }[]
    expect(list.filter((p) => p.source === 'builtin').map((p) => p.name)).toEqual(builtinProfileNames())
    expect(list.filter((p) => p.source === 'user')).toEqual([{ name: 'cli-box', arch: 'arm64', variant: '4K', regions: 'pmem0:fsdax:4GiB', source: 'user' }])
    const text = daxlab(['profiles', 'list', '--db', db]).stdout
    expect(text.split('\n')[0]).toMatch(/^name\s+source\s+arch\s+variant\s+regions/)
    expect(text).toMatch(/cli-box\s+user\s+arm64\s+4K\s+pmem0:fsdax:4GiB/)
    // Without a store file there are only built-ins, and none is created just to look.
    const fresh = tempDb()
    expect(JSON.parse(daxlab(['profiles', 'list', '--json', '--db', fresh]).stdout)).toHaveLength(builtinProfileNames().length)
    expect(existsSync(fresh)).toBe(false)
  })

  it('runs and compares on --profile NAME, and sweeps with it', () => {
    const { db } = imported()
    const run = daxlab(['run', 'fsdax-pin-unpin', '--kernel', '6.14', '--profile', 'cli-box', '--json', '--db', db])
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ profile: 'cli-box', arch: 'arm64', variant: '4K' })
    const cmp = daxlab(['compare', 'fsdax-pin-unpin', '--kernel', '6.14,6.17', '--profile', 'cli-box', '--json', '--db', db])
    expect(cmp.code, cmp.stderr).toBe(0)
    const sweep = daxlab(['sweep', '--scenarios', 'fsdax-pin-unpin', '--kernel', '6.14,6.17', '--arch', 'arm64', '--profile', 'cli-box', '--session', 'box', '--jobs', '1', '--json', '--db', db])
    expect(sweep.code, sweep.stderr).toBe(0)
    const runs = JSON.parse(daxlab(['runs', 'list', '--session', 'box', '--json', '--db', db]).stdout) as { profile: string }[]
    expect(runs.map((r) => r.profile)).toEqual(['cli-box', 'cli-box'])
    const missing = daxlab(['run', 'fsdax-pin-unpin', '--profile', 'no-such-box', '--db', db])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^daxlab: error: no-such-box: no built-in profile of that name, no saved profile and no such file/)
  })

  it('refuses a duplicate import without --replace, a built-in name, and a bad file with its line', () => {
    const { db, dir } = imported()
    const again = daxlab(['profiles', 'import', join(dir, 'box.yaml'), '--db', db])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/a user profile named 'cli-box' exists already.*\(--replace overwrites it\)/)
    writeFileSync(join(dir, 'box.yaml'), BOX.replace('4GiB', '8GiB'))
    expect(daxlab(['profiles', 'import', join(dir, 'box.yaml'), '--replace', '--db', db]).code).toBe(0)
    expect(daxlab(['profiles', 'show', 'cli-box', '--json', '--db', db]).stdout).toContain(String(8 * 2 ** 30))
    writeFileSync(join(dir, 'shadow.yaml'), BOX.replace('cli-box', 'x86-devdax'))
    const shadow = daxlab(['profiles', 'import', join(dir, 'shadow.yaml'), '--replace', '--db', db])
    expect(shadow.code).toBe(2)
    expect(shadow.stderr).toMatch(/'x86-devdax' is the name of a built-in profile/)
    writeFileSync(join(dir, 'bad.yaml'), BOX.replace('fs: xfs', 'fs: zfs'))
    const bad = daxlab(['profiles', 'import', join(dir, 'bad.yaml'), '--db', db])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toBe(`daxlab: error: ${join(dir, 'bad.yaml')}:6: regions[0].fs: Invalid option: expected one of "ext4"|"xfs"|"virtiofs"\n`)
  })

  it('exports a saved or built-in profile as YAML and deletes a saved one only', () => {
    const { db, dir } = imported()
    expect(daxlab(['profiles', 'export', 'cli-box', '--db', db]).stdout).toBe(BOX)
    const out = join(dir, 'out.yaml')
    expect(daxlab(['profiles', 'export', 'x86-devdax', '-o', out, '--db', db]).code).toBe(0)
    expect(readFileSync(out, 'utf8')).toContain('name: x86-devdax')
    expect(daxlab(['profiles', 'delete', 'x86-devdax', '--db', db]).stderr).toMatch(/built-ins cannot be deleted/)
    expect(daxlab(['profiles', 'delete', 'cli-box', '--db', db]).stdout).toBe("deleted profile 'cli-box'\n")
    const gone = daxlab(['profiles', 'delete', 'cli-box', '--db', db])
    expect(gone.code).toBe(2)
    expect(gone.stderr).toMatch(/no saved profile 'cli-box'/)
  })
})

describe('daxlab scenarios with saved scenarios', () => {
  it('imports a scenario file and runs it by name, on a saved profile it names', () => {
    const { db, dir } = imported()
    const text = builtinScenarioText('fsdax-pin-unpin')!.text.replace(/^name: .*$/m, 'name: my-cli-pin').replace(/^profile: .*$/m, 'profile: cli-box')
    writeFileSync(join(dir, 'mine.yaml'), text)
    expect(daxlab(['scenarios', 'import', join(dir, 'mine.yaml'), '--db', db]).code).toBe(0)
    const list = JSON.parse(daxlab(['scenarios', 'list', '--json', '--db', db]).stdout) as { name: string; source: string; profile: string }[]
    expect(list.find((s) => s.name === 'my-cli-pin')).toMatchObject({ source: 'user', profile: 'cli-box' })
    expect(daxlab(['scenarios', 'show', 'my-cli-pin', '--db', db]).stdout).toBe(text)
    const run = daxlab(['run', 'my-cli-pin', '--kernel', '6.17', '--json', '--db', db])
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ scenario: 'my-cli-pin', profile: 'cli-box', arch: 'arm64' })
    expect(daxlab(['scenarios', 'delete', 'my-cli-pin', '--db', db]).code).toBe(0)
    expect(daxlab(['run', 'my-cli-pin', '--db', db]).stderr).toMatch(/no built-in scenario of that name, no saved scenario and no such file/)
  })
})
