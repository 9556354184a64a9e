/**
 * The scenario editor in the Scenarios view: the text being edited (a built-in opened as a template, a
 * saved user scenario, or a new one), its diagnostics from the same parser as the CLI (checkScenario:
 * schema errors with their lines), Run (the edited text, not saved; the run keeps the text) and Save as
 * a user scenario. Backend calls only in actions; a check answered after a newer one started is dropped.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { DocumentIssue, LabErrorData } from '../../main/contract/api'
import { getLabApi, labErrorOf } from '../api'
import { useRunsStore } from './runs'
import { useScenariosStore } from './scenarios'

export type EditorOrigin = 'builtin' | 'user' | 'new'

/** What a new scenario starts as: the smallest valid one, to be edited. */
export const NEW_SCENARIO = `name: my-scenario
description: What this scenario shows, in a sentence or two.
profile: x86-pmem-fsdax
tags: [mine]
steps:
  - create: {file: /mnt/pmem0/data, length: 2MiB}
  - mmap: {id: m, file: /mnt/pmem0/data, length: 2MiB}
  - probe: {map: m, offset: 0, label: mapped}
`

/** The line of the top-level `name:` key (1-based), where a refused name is marked. */
function nameLine(text: string): number | undefined {
  const index = text.split('\n').findIndex((l) => /^name\s*:/.test(l))
  return index < 0 ? undefined : index + 1
}

export const useScenarioEditorStore = defineStore('scenario-editor', () => {
  const open = ref(false)
  const origin = ref<EditorOrigin>('new')
  /** The scenario the text came from (a built-in or saved name), for the title. */
  const from = ref<string>()
  /** The saved user scenario this text is (Save overwrites it without asking). */
  const savedName = ref<string>()
  const text = ref('')
  /** The document's name when it last checked valid. */
  const checkedName = ref<string>()
  const diagnostics = shallowRef<readonly DocumentIssue[]>([])
  const dirty = ref(false)
  const error = ref<LabErrorData>()
  const nameTaken = ref(false)
  const notice = ref<string>()
  const saving = ref(false)
  const kernel = ref('6.17')
  let checkToken = 0

  const valid = computed(() => diagnostics.value.length === 0 && checkedName.value !== undefined)

  function reset(nextText: string, nextOrigin: EditorOrigin, name: string | undefined): void {
    open.value = true
    origin.value = nextOrigin
    from.value = name
    savedName.value = nextOrigin === 'user' ? name : undefined
    text.value = nextText
    dirty.value = false
    error.value = undefined
    nameTaken.value = false
    notice.value = undefined
    diagnostics.value = []
    checkedName.value = undefined
  }

  /** Opens a built-in (as a template) or a saved scenario's text in the editor. */
  async function edit(name: string): Promise<void> {
    try {
      const entry = useScenariosStore().entries.find((e) => e.name === name)
      const answer = await getLabApi().getScenarioText({ name })
      reset(answer.text, entry?.source === 'user' ? 'user' : 'builtin', name)
      await check(answer.text)
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  function create(): void {
    reset(NEW_SCENARIO, 'new', undefined)
    dirty.value = true
  }

  function close(): void {
    open.value = false
  }

  function setText(next: string): void {
    if (next === text.value) return
    text.value = next
    dirty.value = true
    nameTaken.value = false
    notice.value = undefined
  }

  /** Validates the text as `daxlab run` would read it (schema, then the profile it names). */
  async function check(source: string = text.value): Promise<readonly DocumentIssue[]> {
    const mine = ++checkToken
    if (source.trim() === '') {
      diagnostics.value = [{ path: '', line: 1, message: 'the scenario is empty' }]
      checkedName.value = undefined
      return diagnostics.value
    }
    try {
      const answer = await getLabApi().checkScenario({ text: source })
      if (mine === checkToken) {
        diagnostics.value = answer.issues
        checkedName.value = answer.issues.length === 0 ? answer.name : undefined
      }
      return answer.issues
    } catch (err) {
      // A text over the contract's limit is refused before it is read: say so on line 1.
      const issue = { path: '', line: 1, message: labErrorOf(err).message }
      if (mine === checkToken) diagnostics.value = [issue]
      return [issue]
    }
  }

  /** Runs the text as it is in the editor, without saving it; the Runs view opens on the new run. */
  async function run(): Promise<number | undefined> {
    const issues = await check()
    if (issues.length > 0) return undefined
    const runs = useRunsStore()
    const id = await runs.runScenario({ scenario: checkedName.value ?? 'edited', source: text.value, kernel: kernel.value.trim() })
    if (id === undefined && runs.error) error.value = runs.error
    return id
  }

  /** Saves the text as a user scenario under its `name:`; `replace` overwrites a saved one of that name. */
  async function save(options: { replace?: boolean } = {}): Promise<boolean> {
    const issues = await check()
    if (issues.length > 0) return false
    saving.value = true
    error.value = undefined
    nameTaken.value = false
    const name = checkedName.value
    const renamedFrom = savedName.value !== undefined && savedName.value !== name ? savedName.value : undefined
    try {
      const api = getLabApi()
      const replace = options.replace === true || (savedName.value !== undefined && savedName.value === name)
      const saved = await api.saveScenario({ text: text.value, replace })
      if (renamedFrom !== undefined) await api.deleteScenario({ name: renamedFrom })
      origin.value = 'user'
      savedName.value = saved.name
      from.value = saved.name
      dirty.value = false
      notice.value = `Saved '${saved.name}' under ${saved.topic ?? 'its topic'}. Run it from the Runs view or the CLI (daxlab run ${saved.name}).`
      await Promise.all([useScenariosStore().load(), useRunsStore().loadScenarios()])
      await useScenariosStore().select(saved.name)
      return true
    } catch (err) {
      const data = labErrorOf(err)
      error.value = data
      nameTaken.value = /exists already/.test(data.message)
      // A refused name is marked on its line, like any other problem of the text.
      if (data.field === 'text') diagnostics.value = [{ path: 'name', message: data.message, ...(nameLine(text.value) !== undefined ? { line: nameLine(text.value) } : {}) }]
      return false
    } finally {
      saving.value = false
    }
  }

  async function remove(): Promise<void> {
    const name = savedName.value
    if (name === undefined) return
    try {
      await getLabApi().deleteScenario({ name })
      await Promise.all([useScenariosStore().load(), useRunsStore().loadScenarios()])
      open.value = false
      notice.value = undefined
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  return { open, origin, from, savedName, text, checkedName, diagnostics, dirty, error, nameTaken, notice, saving, kernel, valid, edit, create, close, setText, check, run, save, remove }
})
