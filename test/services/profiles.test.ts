/**
 * The user library through the contract (callLab: the same zod validation as IPC and the web bridge)
 * on a real temporary database: save, list, use in a run, check against a kernel, import text, delete.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LabMethod, LabResponses } from '../../main/contract/api'
import { callLab, type LabResult } from '../../main/contract/envelope'
import { parseProfileText } from '../../main/formats/load'
import { profileFieldIssues } from '../../main/formats/profile-issues'
import { profileYaml } from '../../main/formats/profile-yaml'
import { builtinProfileNames, builtinProfileText, builtinScenarioText } from '../../main/library/index'
import { createLabService, type LabService } from '../../main/services/lab-service'

let dir: string
let service: LabService

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daxlab-profiles-'))
  service = createLabService({ dbPath: join(dir, 'lab.sqlite') })
})

afterEach(() => {
  service.close()
  rmSync(dir, { recursive: true, force: true })
})

const call = <M extends LabMethod>(method: M, payload: unknown): Promise<LabResult<LabResponses[M]>> => callLab(service, method, payload)

async function ok<M extends LabMethod>(method: M, payload: unknown): Promise<LabResponses[M]> {
  const result = await call(method, payload)
  if (!result.ok) throw new Error(`${method} failed: ${result.error.message}`)
  return result.value
}

const BOX = {
  name: 'my-box',
  description: 'two regions',
  arch: 'x86',
  regions: [
    { name: 'pmem0', type: 'fsdax', size: '2GiB', fs: 'xfs', mount: '/mnt/pmem0' },
    { name: 'dax0', type: 'devdax', size: '4GiB', align: '2MiB' },
  ],
}

describe('user profiles through the contract', () => {
  it('lists built-ins and saved profiles with their source, and gets either back', async () => {
    const saved = await ok('saveProfile', { profile: BOX })
    expect(saved).toEqual({ name: 'my-box', description: 'two regions', source: 'user', arch: 'x86' })
    const list = await ok('listProfiles', undefined)
    expect(list.filter((p) => p.source === 'builtin').map((p) => p.name)).toEqual(builtinProfileNames())
    expect(list.filter((p) => p.source === 'user')).toEqual([saved])
    const doc = await ok('getProfile', { name: 'my-box' })
    expect(doc.source).toBe('user')
    expect(doc.profile.regions[1]).toEqual({ name: 'dax0', type: 'devdax', size: 4 * 2 ** 30, align: '2MiB' })
    // Saved as YAML with units, which parses back to the same profile.
    expect(doc.text).toContain('size: 2GiB')
    expect(parseProfileText(doc.text, 'x')).toEqual(doc.profile)
    const builtin = await ok('getProfile', { name: 'x86-pmem-fsdax' })
    expect(builtin).toMatchObject({ source: 'builtin', text: builtinProfileText('x86-pmem-fsdax')!.text })
  })

  it('refuses a built-in name, a second save without replace, and an invalid profile, naming the field', async () => {
    const shadow = await call('saveProfile', { profile: { ...BOX, name: 'x86-devdax' }, replace: true })
    expect(shadow).toEqual({ ok: false, error: { code: 'invalid_request', field: 'profile.name', message: expect.stringMatching(/^'x86-devdax' is the name of a built-in profile/) } })
    await ok('saveProfile', { profile: BOX })
    const again = await call('saveProfile', { profile: BOX })
    expect(again.ok ? undefined : again.error).toMatchObject({ field: 'profile.name', message: "a user profile named 'my-box' exists already; pick another name, or overwrite it" })
    await ok('saveProfile', { profile: { ...BOX, description: 'edited' }, replace: true })
    expect((await ok('getProfile', { name: 'my-box' })).profile.description).toBe('edited')
    const bad = await call('saveProfile', { profile: { ...BOX, regions: [{ ...BOX.regions[0], mount: 'relative' }] } })
    expect(bad.ok ? undefined : bad.error).toMatchObject({ code: 'invalid_request', field: 'profile.regions[0].mount' })
    const unnamed = await call('saveProfile', { profile: { ...BOX, name: undefined } })
    expect(unnamed.ok ? undefined : unnamed.error).toMatchObject({ field: 'profile.name', message: 'a saved profile needs a name' })
  })

  it('runs a scenario on a saved profile (the run form picks it) under 6.14 and 6.17', async () => {
    await ok('saveProfile', { profile: { ...BOX, name: 'box-xfs' } })
    for (const kernel of ['6.14', '6.17']) {
      const { runId } = await ok('runScenario', { scenario: 'fsdax-pin-unpin', kernel, profile: 'box-xfs' })
      const header = await ok('getRunHeader', { id: runId })
      expect(header?.summary).toMatchObject({ profile: 'box-xfs', kernel, scheme: kernel === '6.14' ? 'legacy' : 'refcounted' })
    }
    const missing = await call('runScenario', { scenario: 'fsdax-pin-unpin', kernel: '6.17', profile: 'nope' })
    expect(missing.ok ? undefined : missing.error).toMatchObject({ code: 'not_found', field: 'profile', message: expect.stringContaining('box-xfs') })
  })

  it('checks a profile against a kernel with the `profiles validate --kernel` rules', async () => {
    expect(await ok('checkProfile', { profile: BOX, kernel: '6.17' })).toEqual({ ok: true, kernel: '6.17', arch: 'x86', variant: 'default' })
    // loongarch selects ZONE_DEVICE only from 6.11 (arch/loongarch/Kconfig, ARCH_HAS_PTE_DEVMAP).
    const early = await ok('checkProfile', { profile: { ...BOX, arch: 'loongarch' }, kernel: '6.10' })
    expect(early).toMatchObject({ ok: false, field: 'regions[0]', problem: expect.stringMatching(/ZONE_DEVICE cannot be configured on loongarch in kernel 6\.10/) })
    // A 1 GiB devdax align needs PUD leaves: arm64 with 64K pages has none at 1 GiB.
    const align = await ok('checkProfile', { profile: { ...BOX, arch: 'arm64', variant: '64K', regions: [{ name: 'dax0', type: 'devdax', size: '16GiB', align: '1GiB' }] }, kernel: '6.17' })
    expect(align).toMatchObject({ ok: false, field: 'regions[0].align', problem: expect.stringMatching(/devdax align 1GiB is not valid on arm64 64K/) })
    const variant = await ok('checkProfile', { profile: BOX, kernel: '6.17', variant: 'no-such' })
    expect(variant).toMatchObject({ ok: false, field: 'variant' })
    const kernel = await call('checkProfile', { profile: BOX, kernel: '5.4' })
    expect(kernel.ok ? undefined : kernel.error).toMatchObject({ code: 'invalid_request', field: 'kernel' })
  })

  it('reads an import text into a profile, or its issues with lines, saving nothing', async () => {
    const parsed = await ok('parseProfile', { text: builtinProfileText('arm64-devdax')!.text })
    expect(parsed).toMatchObject({ issues: [], profile: { name: 'arm64-devdax', arch: 'arm64' } })
    const bad = await ok('parseProfile', { text: 'name: b\narch: x86\nregions:\n  - {name: d, type: devdax, size: 3MiB, align: 3MiB}\n' })
    expect(bad.profile).toBeUndefined()
    expect(bad.issues).toEqual([{ path: 'regions[0].align', line: 4, message: expect.stringContaining('4KiB') }])
    expect((await ok('listProfiles', undefined)).some((p) => p.source === 'user')).toBe(false)
  })

  it('deletes a saved profile but never a built-in', async () => {
    await ok('saveProfile', { profile: BOX })
    expect(await ok('deleteProfile', { name: 'my-box' })).toEqual({ deleted: true })
    expect(await ok('deleteProfile', { name: 'my-box' })).toEqual({ deleted: false })
    const builtin = await call('deleteProfile', { name: 'x86-devdax' })
    expect(builtin.ok ? undefined : builtin.error).toMatchObject({ code: 'invalid_request', field: 'name' })
    const gone = await call('getProfile', { name: 'my-box' })
    expect(gone.ok ? undefined : gone.error).toMatchObject({ code: 'not_found', field: 'name' })
  })
})

describe('the editor words', () => {
  it('names each bad field in a sentence, never zod wording', () => {
    const issues = profileFieldIssues({ name: 'a b', arch: 'x87', regions: [{ name: 'p', type: 'fsdax', size: 'two', fs: 'ext5' }, { name: 'q', type: 'weird', size: 1 }] })
    expect(issues).toEqual([
      { field: 'name', message: 'Use letters, digits, _ . - only.' },
      { field: 'arch', message: 'The arch must be one of x86, arm64, powerpc, riscv or loongarch.' },
      { field: 'regions[0].size', message: "'two' is not a size (write e.g. 4KiB, 2MiB, 1GiB, 1TiB or a byte count)." },
      { field: 'regions[0].fs', message: 'The filesystem must be one of ext4, xfs or virtiofs.' },
      { field: 'regions[0].mount', message: 'The mount path is required.' },
      { field: 'regions[1].type', message: 'The region type must be one of fsdax, devdax, device-private, device-coherent, p2pdma or system-ram.' },
    ])
    for (const i of issues) expect(i.message).not.toMatch(/Invalid|expected|received/)
    expect(profileFieldIssues(BOX)).toEqual([])
    expect(profileFieldIssues({ ...BOX, regions: [BOX.regions[0], { ...BOX.regions[0], name: 'pmem1', mount: '/mnt/pmem1', extra: 1 }] })).toEqual([
      { field: 'regions[1]', message: "'extra' is not a field of this kind of region; remove it." },
    ])
    expect(profileFieldIssues({ ...BOX, regions: [BOX.regions[0], BOX.regions[0]] })).toEqual([
      { field: 'regions[1].name', message: "Duplicate region name 'pmem0'." },
      { field: 'regions[1].mount', message: "Mount '/mnt/pmem0' is used twice." },
    ])
  })

  it('writes YAML that parses back to the same profile', () => {
    const yaml = profileYaml({ ...BOX, variant: '5level' } as Parameters<typeof profileYaml>[0])
    expect(yaml.split('\n').slice(0, 4)).toEqual(['name: my-box', 'description: two regions', 'arch: x86', 'variant: 5level'])
    expect(parseProfileText(yaml, 'x')).toEqual(parseProfileText(JSON.stringify({ ...BOX, variant: '5level' }), 'y'))
  })
})

describe('user scenarios through the contract', () => {
  const text = builtinScenarioText('fsdax-pin-unpin')!.text.replace(/^name: .*$/m, 'name: my-pin\ntags: [mine]')

  it('checks a text with lines, saves it, lists it under its topic, and runs it by name', async () => {
    expect(await ok('checkScenario', { text })).toEqual({ name: 'my-pin', issues: [] })
    const broken = text.replace(/^profile: .*$/m, 'profile: no-such-box')
    const check = await ok('checkScenario', { text: broken })
    expect(check.issues).toEqual([{ path: 'profile', line: expect.any(Number), message: expect.stringMatching(/^no built-in profile 'no-such-box' and no saved one/) }])
    expect(broken.split('\n')[check.issues[0]!.line! - 1]).toBe('profile: no-such-box')
    const schema = await ok('checkScenario', { text: text.replace(/^steps:/m, 'stepz:') })
    expect(schema.issues.length).toBeGreaterThan(0)
    expect(schema.issues.every((i) => typeof i.line === 'number')).toBe(true)

    const saved = await ok('saveScenario', { text })
    expect(saved).toMatchObject({ name: 'my-pin', topic: 'mine', source: 'user' })
    expect((await ok('listScenarios', undefined)).find((s) => s.name === 'my-pin')).toEqual(saved)
    expect((await ok('getScenarioText', { name: 'my-pin' })).text).toBe(text)
    const { runId } = await ok('runScenario', { scenario: 'my-pin', kernel: '6.17' })
    expect((await ok('getRunScenario', { id: runId })).text).toBe(text)
    const shadow = await call('saveScenario', { text: builtinScenarioText('fsdax-pin-unpin')!.text })
    expect(shadow.ok ? undefined : shadow.error).toMatchObject({ code: 'invalid_request', field: 'text', message: expect.stringMatching(/built-in scenario/) })
    expect(await ok('deleteScenario', { name: 'my-pin' })).toEqual({ deleted: true })
  })

  it('runs a saved scenario that names a saved profile', async () => {
    await ok('saveProfile', { profile: { ...BOX, name: 'box2' } })
    await ok('saveScenario', { text: text.replace(/^profile: .*$/m, 'profile: box2') })
    const { runId } = await ok('runScenario', { scenario: 'my-pin', kernel: '6.14' })
    expect((await ok('getRunHeader', { id: runId }))?.summary.profile).toBe('box2')
  })
})
