/**
 * The scenario editor store over the real services: diagnostics with lines, run without saving, save
 * as a user scenario (listed by the library and the Run form), overwrite, rename, built-in names.
 */
import { describe, expect, it } from 'vitest'
import { builtinScenarioText } from '../../main/library/index'
import { NEW_SCENARIO, useScenarioEditorStore } from '../../renderer/stores/scenario-editor'
import { useRunsStore } from '../../renderer/stores/runs'
import { useScenariosStore } from '../../renderer/stores/scenarios'
import { useRealService } from './real-service'

const current = useRealService()
const BUILTIN = builtinScenarioText('fsdax-pin-unpin')!.text
const MINE = BUILTIN.replace(/^name: .*$/m, 'name: my-pin\ntags: [fsdax]')

describe('scenario editor store', () => {
  it('opens a built-in as a template and checks it', async () => {
    const library = useScenariosStore()
    await library.load()
    const editor = useScenarioEditorStore()
    await editor.edit('fsdax-pin-unpin')
    expect(editor).toMatchObject({ open: true, origin: 'builtin', from: 'fsdax-pin-unpin', text: BUILTIN, dirty: false, checkedName: 'fsdax-pin-unpin', valid: true })
  })

  it('reports problems with their lines, and an empty text', async () => {
    const editor = useScenarioEditorStore()
    editor.create()
    expect(editor.text).toBe(NEW_SCENARIO)
    expect(await editor.check()).toEqual([])
    const broken = NEW_SCENARIO.replace('length: 2MiB}\n  - mmap', 'length: lots}\n  - mmap')
    const issues = await editor.check(broken)
    expect(issues).toEqual([{ path: 'steps[0].create.length', line: 6, message: expect.stringMatching(/^'lots' is not a size/) }])
    expect(editor.valid).toBe(false)
    expect(await editor.check('  \n')).toEqual([{ path: '', line: 1, message: 'the scenario is empty' }])
  })

  it('runs the edited text without saving it; the run keeps the text', async () => {
    const editor = useScenarioEditorStore()
    editor.create()
    editor.setText(MINE)
    editor.kernel = '6.14'
    const id = await editor.run()
    expect(id).toBeGreaterThan(0)
    expect((await current().getRunScenario({ id: id! })).text).toBe(MINE)
    expect(useRunsStore().runs[0]).toMatchObject({ id, scenario: 'my-pin', kernel: '6.14' })
    expect((await current().listScenarios(undefined)).some((s) => s.name === 'my-pin')).toBe(false)
    editor.setText(MINE.replace('  - mmap: {', '  - mmapp: {'))
    expect(await editor.run()).toBeUndefined() // an invalid text is not sent
  })

  it('saves as a user scenario, asks before overwriting, renames, refuses a built-in name and deletes', async () => {
    const library = useScenariosStore()
    await library.load()
    const editor = useScenarioEditorStore()
    editor.create()
    editor.setText(MINE)
    expect(await editor.save()).toBe(true)
    expect(editor).toMatchObject({ origin: 'user', savedName: 'my-pin', dirty: false })
    expect(library.topics.find((t) => t.topic === 'fsdax')?.entries.some((e) => e.name === 'my-pin' && e.source === 'user')).toBe(true)
    expect(library.selectedName).toBe('my-pin')
    expect(useRunsStore().scenarios.some((s) => s.name === 'my-pin')).toBe(true)
    // Editing the saved one overwrites it without asking.
    editor.setText(MINE.replace('pin: true', 'pin: false'))
    expect(await editor.save()).toBe(true)
    expect((await current().getScenarioText({ name: 'my-pin' })).text).toContain('pin: false')
    // A new one with a saved name asks first.
    editor.create()
    editor.setText(MINE)
    expect(await editor.save()).toBe(false)
    expect(editor.nameTaken).toBe(true)
    expect(editor.diagnostics).toEqual([{ path: 'name', line: 1, message: expect.stringMatching(/a user scenario named 'my-pin' exists already/) }])
    expect(await editor.save({ replace: true })).toBe(true)
    // A rename saves the new name and drops the old.
    editor.setText(MINE.replace('name: my-pin', 'name: my-pin-2'))
    expect(await editor.save()).toBe(true)
    const names = (await current().listScenarios(undefined)).filter((s) => s.source === 'user').map((s) => s.name)
    expect(names).toEqual(['my-pin-2'])
    editor.setText(BUILTIN)
    expect(await editor.save()).toBe(false)
    expect(editor.diagnostics[0]).toMatchObject({ path: 'name', line: 1, message: expect.stringMatching(/is the name of a built-in scenario/) })
    editor.setText(MINE.replace('name: my-pin', 'name: my-pin-2'))
    await editor.remove()
    expect(editor.open).toBe(false)
    expect((await current().listScenarios(undefined)).some((s) => s.source === 'user')).toBe(false)
  })
})
