/**
 * The Hardware profiles store over the real services (a temporary store per test): open a built-in as a
 * read-only template, duplicate it, live errors per field in plain words, save, rename, overwrite, the
 * kernel check, import, and the Run form's profile list.
 */
import { describe, expect, it } from 'vitest'
import { builtinProfileText } from '../../main/library/index'
import { draftOf, inputOf } from '../../renderer/profile-draft'
import { useProfilesStore } from '../../renderer/stores/profiles'
import { useRunsStore } from '../../renderer/stores/runs'
import { useFakeFileDom } from './fake-file-dom'
import { useRealService } from './real-service'

const current = useRealService()
const dom = useFakeFileDom()

describe('profiles store', () => {
  it('opens a built-in read-only, duplicates it into an editable copy with a free name', async () => {
    const store = useProfilesStore()
    await store.load()
    expect(store.builtins.map((e) => e.name)).toContain('x86-pmem-fsdax')
    expect(store.userProfiles).toEqual([])
    await store.open('x86-pmem-fsdax')
    expect(store.mode).toBe('builtin')
    expect(store.readOnly).toBe(true)
    expect(store.draft.regions.map((r) => [r.name, r.type, r.sizeValue, r.sizeUnit])).toEqual([
      ['ram', 'system-ram', '8', 'GiB'],
      ['pmem0', 'fsdax', '16', 'GiB'],
    ])
    expect(await store.save()).toBe(false) // a built-in is never saved over
    store.duplicate()
    expect(store.mode).toBe('new')
    expect(store.draft.name).toBe('x86-pmem-fsdax-copy')
    expect(store.valid).toBe(true)
  })

  it('shows each bad field in plain words as it is typed, and saves once fixed', async () => {
    const store = useProfilesStore()
    await store.load()
    store.create()
    expect(store.draft.name).toBe('my-machine')
    store.draft.regions[0]!.mount = 'mnt/pmem0'
    store.draft.regions[0]!.sizeValue = '2.5'
    store.draft.name = 'my machine'
    expect(store.issueFor('regions[0].mount')).toBe('A mount path must be absolute.')
    expect(store.issueFor('regions[0].size')).toBe('Write the size as a whole number of GiB (for 1.5 GiB, pick MiB and write 1536).')
    expect(store.issueFor('name')).toBe('Use letters, digits, _ . - only.')
    expect(store.valid).toBe(false)
    expect(await store.save()).toBe(false)
    store.draft.regions[0]!.mount = '/mnt/pmem0'
    store.draft.regions[0]!.sizeValue = '2'
    store.draft.name = 'my-machine'
    expect(store.issues).toEqual([])
    expect(await store.save()).toBe(true)
    expect(store.mode).toBe('user')
    expect(store.userProfiles.map((e) => e.name)).toEqual(['my-machine'])
    expect(store.notice).toMatch(/--profile my-machine/)
    // The Run form's picker lists it, and a run on it works.
    const runs = useRunsStore()
    expect(runs.profiles.filter((p) => p.source === 'user').map((p) => p.name)).toEqual(['my-machine'])
    const id = await runs.runScenario({ scenario: 'fsdax-pin-unpin', kernel: '6.14', profile: 'my-machine' })
    expect(runs.runs.find((r) => r.id === id)?.profile).toBe('my-machine')
  })

  it('adds, retypes, reorders and removes regions with the type-specific fields', async () => {
    const store = useProfilesStore()
    store.create()
    store.addRegion('devdax')
    expect(store.draft.regions.map((r) => r.type)).toEqual(['fsdax', 'devdax'])
    expect(inputOf(store.draft).regions[1]).toEqual({ name: 'dax0', type: 'devdax', size: '16GiB', align: '2MiB' })
    store.setRegionType(1, 'p2pdma')
    expect(inputOf(store.draft).regions[1]).toEqual({ name: 'dax0', type: 'p2pdma', size: '16GiB' })
    store.draft.regions[1]!.device = '0000:3b:00.0'
    store.draft.regions[1]!.numaNode = '1'
    expect(inputOf(store.draft).regions[1]).toEqual({ name: 'dax0', type: 'p2pdma', size: '16GiB', device: '0000:3b:00.0', numa_node: 1 })
    const keys = store.draft.regions.map((r) => r.key)
    store.moveRegion(1, -1)
    expect(store.draft.regions.map((r) => r.key)).toEqual([keys[1], keys[0]])
    store.moveRegion(0, -1) // already first: nothing moves
    expect(store.draft.regions.map((r) => r.key)).toEqual([keys[1], keys[0]])
    store.removeRegion(0)
    store.removeRegion(0)
    expect(store.issueFor('regions')).toBe('A profile needs at least one region.')
  })

  it('refuses a taken name until Overwrite, renames by saving the new name and dropping the old', async () => {
    const store = useProfilesStore()
    await store.load()
    store.create()
    expect(await store.save()).toBe(true)
    store.create()
    store.draft.name = 'my-machine'
    store.edited()
    expect(await store.save()).toBe(false)
    expect(store.nameTaken).toBe(true)
    expect(store.issueFor('name')).toMatch(/a user profile named 'my-machine' exists already/)
    store.draft.regions[0]!.sizeValue = '4'
    expect(await store.save({ replace: true })).toBe(true)
    expect((await current().getProfile({ name: 'my-machine' })).profile.regions[0]!.size).toBe(4 * 2 ** 30)
    store.draft.name = 'renamed'
    store.edited()
    expect(await store.save()).toBe(true)
    expect(store.userProfiles.map((e) => e.name)).toEqual(['renamed'])
    // A built-in's name is refused beside the name field.
    store.draft.name = 'x86-devdax'
    store.edited()
    expect(await store.save({ replace: true })).toBe(false)
    expect(store.issueFor('name')).toMatch(/is the name of a built-in profile/)
    await store.remove()
    expect(store.userProfiles).toEqual([])
  })

  it('checks the machine against a kernel', async () => {
    const store = useProfilesStore()
    store.create()
    store.draft.arch = 'loongarch'
    store.checkKernel = '6.10'
    await store.check()
    expect(store.kernelCheck).toMatchObject({ ok: false, problem: expect.stringMatching(/ZONE_DEVICE cannot be configured on loongarch in kernel 6\.10/) })
    store.checkKernel = '6.17'
    await store.check()
    expect(store.kernelCheck).toMatchObject({ ok: true, kernel: '6.17', arch: 'loongarch' })
    store.checkKernel = '5.4'
    await store.check()
    expect(store.error?.field).toBe('kernel')
  })

  it('imports a YAML text into a new unsaved profile, or lists its issues with lines; exports YAML', async () => {
    const store = useProfilesStore()
    await store.importText(builtinProfileText('arm64-devdax')!.text, 'arm64-devdax.yaml')
    expect(store.mode).toBe('new')
    expect(store.draft).toMatchObject({ name: 'arm64-devdax', arch: 'arm64', variant: '4K' })
    expect(store.exportText()).toContain('size: 16GiB')
    await store.importText('arch: x86\nregions: []\n', 'bad.yaml')
    expect(store.importIssues).toEqual([{ path: 'regions', line: 2, message: 'a profile needs at least one region' }])
    expect(store.draft.name).toBe('arm64-devdax') // the form is left as it was
  })

  it('Import YAML… reads the file chosen (nothing on cancel, a too-big file refused); Export YAML downloads it', async () => {
    const store = useProfilesStore()
    await store.importFile() // the chooser closed
    expect(store.mode).toBe('new')
    expect(store.notice).toBeUndefined()
    dom.choose(new File([builtinProfileText('arm64-devdax')!.text], 'mine.yaml'))
    await store.importFile()
    expect(dom.accepts).toEqual(['.yaml,.yml,.json', '.yaml,.yml,.json'])
    expect(store.draft).toMatchObject({ name: 'arm64-devdax', arch: 'arm64' })
    expect(store.notice).toBe('Imported mine.yaml. Check it, then Save.')
    await store.exportFile()
    expect(dom.downloads.map((d) => d.fileName)).toEqual(['arm64-devdax.yaml'])
    expect(await dom.downloads[0]!.blob.text()).toBe(store.exportText())
    expect(store.notice).toMatch(/^Exported arm64-devdax\.yaml \(\d+ bytes\)\.$/)
    dom.choose(new File([new Uint8Array(16 * 2 ** 20 + 1)], 'big.yaml'))
    await store.importFile()
    expect(store.error).toMatchObject({ code: 'invalid_request', field: 'file', message: 'big.yaml is 16.0 MiB: a hardware profile file is at most 16 MiB' })
  })

  it('round-trips every built-in through the form unchanged', async () => {
    for (const entry of await current().listProfiles(undefined)) {
      const doc = await current().getProfile({ name: entry.name })
      const back = await current().parseProfile({ text: JSON.stringify(inputOf(draftOf(doc.profile))) })
      expect(back.profile, entry.name).toEqual(doc.profile)
    }
  })
})
