/** The user library in the store (migration 5): saved profiles and scenarios, unique names, no shadowing. */
import Database from 'better-sqlite3'
import { chmodSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { builtinScenarioText } from '../../main/library/index'
import { migrate } from '../../main/store/schema'
import { TraceStore } from '../../main/store/trace-store'
import { UserLibrary, UserLibraryError } from '../../main/store/user-library'
import { realRun, tempDir } from './helpers'

const PROFILE = `name: my-box
description: a test machine
arch: x86
regions:
  - {name: pmem0, type: fsdax, size: 2GiB, fs: ext4, mount: /mnt/pmem0}
`

function open(): { store: TraceStore; library: UserLibrary; file: string } {
  const file = join(tempDir(), 'lab.sqlite')
  const store = TraceStore.open(file)
  return { store, library: new UserLibrary(store), file }
}

function refusal(fn: () => unknown): UserLibraryError {
  try {
    fn()
  } catch (err) {
    if (err instanceof UserLibraryError) return err
    throw err
  }
  throw new Error('expected a UserLibraryError')
}

describe('user profiles', () => {
  it('saves, lists, reads back and deletes a profile, and keeps the text as saved', () => {
    const { store, library } = open()
    expect(library.saveProfile(PROFILE)).toBe('my-box')
    expect(library.listProfiles()).toEqual([expect.objectContaining({ name: 'my-box', arch: 'x86', description: 'a test machine' })])
    expect(library.profileText('my-box')).toBe(PROFILE)
    expect(library.profile('my-box')?.regions[0]).toMatchObject({ name: 'pmem0', size: 2 * 2 ** 30, mount: '/mnt/pmem0' })
    expect(library.deleteProfile('my-box')).toBe(true)
    expect(library.deleteProfile('my-box')).toBe(false)
    expect(library.listProfiles()).toEqual([])
    store.close()
  })

  it('refuses a name that exists unless asked to replace it, and then updates it', () => {
    const { store, library } = open()
    library.saveProfile(PROFILE)
    const clash = refusal(() => library.saveProfile(PROFILE))
    expect(clash.field).toBe('name')
    expect(clash.message).toMatch(/a user profile named 'my-box' exists already/)
    const edited = PROFILE.replace('2GiB', '4GiB')
    library.saveProfile(edited, { replace: true })
    expect(library.profile('my-box')?.regions[0]?.size).toBe(4 * 2 ** 30)
    expect(library.listProfiles()).toHaveLength(1)
    store.close()
  })

  it('never shadows a built-in: its name is refused even with replace', () => {
    const { store, library } = open()
    const err = refusal(() => library.saveProfile(PROFILE.replace('my-box', 'x86-pmem-fsdax'), { replace: true }))
    expect(err.field).toBe('name')
    expect(err.message).toBe(`'x86-pmem-fsdax' is the name of a built-in profile; save yours under another name (built-ins are read-only templates)`)
    expect(library.listProfiles()).toEqual([])
    store.close()
  })

  it('refuses an invalid document with the schema issue and the line, and a profile without a name', () => {
    const { store, library } = open()
    const bad = refusal(() => library.saveProfile(PROFILE.replace('mount: /mnt/pmem0', 'mount: mnt/pmem0'), { file: 'box.yaml' }))
    expect(bad.field).toBe('text')
    expect(bad.message).toBe('box.yaml:5: regions[0].mount: a mount path must be absolute')
    const unnamed = refusal(() => library.saveProfile(PROFILE.replace('name: my-box\n', '')))
    expect(unnamed.message).toBe('a saved profile needs a name')
    expect(library.listProfiles()).toEqual([])
    store.close()
  })

  it('is visible to a second connection (the CLI and the app share the file)', () => {
    const { store, library, file } = open()
    library.saveProfile(PROFILE)
    const other = TraceStore.open(file)
    expect(new UserLibrary(other).profile('my-box')?.arch).toBe('x86')
    other.close()
    store.close()
  })

  it('does not write through a read-only store, and still reads from it', () => {
    const { store, library, file } = open()
    library.saveProfile(PROFILE)
    store.close()
    chmodSync(file, 0o444)
    try {
      const readOnly = TraceStore.open(file)
      const again = new UserLibrary(readOnly)
      expect(again.profile('my-box')?.arch).toBe('x86')
      expect(() => again.saveProfile(PROFILE.replace('my-box', 'other'))).toThrow(/^store is read-only: /)
      expect(() => again.deleteProfile('my-box')).toThrow(/^store is read-only: /)
      readOnly.close()
    } finally {
      chmodSync(file, 0o644)
    }
  })
})

describe('user scenarios', () => {
  const builtin = builtinScenarioText('fsdax-pin-unpin')!.text
  const mine = builtin.replace(/^name: .*$/m, 'name: my-pin-test\ntags: [experiments]')

  it('saves a scenario under its name with its topic, and refuses a built-in name', () => {
    const { store, library } = open()
    expect(library.saveScenario(mine)).toBe('my-pin-test')
    expect(library.listScenarios()).toEqual([expect.objectContaining({ name: 'my-pin-test', topic: 'experiments' })])
    expect(library.scenarioText('my-pin-test')).toBe(mine)
    const err = refusal(() => library.saveScenario(builtin))
    expect(err.message).toMatch(/'fsdax-pin-unpin' is the name of a built-in scenario/)
    expect(library.deleteScenario('my-pin-test')).toBe(true)
    store.close()
  })

  it('refuses a scenario that does not validate, naming its line', () => {
    const { store, library } = open()
    const err = refusal(() => library.saveScenario('name: x\ndescription: d\nprofile: x86-pmem-fsdax\nsteps:\n  - nosuchop: {}\n', { file: 'x.yaml' }))
    expect(err.field).toBe('text')
    expect(err.message).toMatch(/^x\.yaml:5: steps\[0\]/)
    expect(library.listScenarios()).toEqual([])
    store.close()
  })
})

describe('migration 5', () => {
  it('adds the two tables to a version-4 store with runs, keeping the runs', () => {
    const file = join(tempDir(), 'old.sqlite')
    const db = new Database(file)
    migrate(db, 4)
    db.close()
    const store = TraceStore.open(file)
    const id = store.saveRun(realRun('fsdax-pin-unpin'))
    expect(store.schemaVersion()).toBeGreaterThanOrEqual(5)
    const library = new UserLibrary(store)
    library.saveProfile(PROFILE)
    expect(store.getRun(id)?.summary.scenario).toBe('fsdax-pin-unpin')
    expect(store.check().ok).toBe(true)
    store.close()
  })
})
