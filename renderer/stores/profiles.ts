/**
 * The Hardware profiles view: built-in profiles (read-only templates) and the user's own, the one being
 * edited as a form (renderer/profile-draft.ts), its live validation with the CLI's schema (worded per
 * field by main/formats/profile-issues.ts), the check against a kernel, save/delete, import and export.
 * Backend calls only in actions; an answer for an earlier selection is dropped.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { DocumentIssue, LabErrorData, LibraryEntry, ProfileCheck } from '../../main/contract/api'
import { profileFieldIssues } from '../../main/formats/profile-issues'
import { profileYaml } from '../../main/formats/profile-yaml'
import type { RegionType } from '../../main/formats/profile'
import { getLabApi, labErrorOf } from '../api'
import { getLabFiles } from '../api/files'
import { blankProfile, blankRegion, draftOf, freshKey, inputOf, retype, uniqueName, type ProfileDraft } from '../profile-draft'
import { useRunsStore } from './runs'

/** What the editor holds: a built-in (read-only), a saved user profile, or a new one not saved yet. */
export type EditorMode = 'builtin' | 'user' | 'new'

export const useProfilesStore = defineStore('profiles', () => {
  const entries = shallowRef<LibraryEntry[]>([])
  const selectedName = ref<string>()
  const mode = ref<EditorMode>('new')
  const draft = ref<ProfileDraft>(blankProfile())
  /** The saved name of the user profile being edited (a rename saves the new name, then drops this). */
  const savedName = ref<string>()
  const dirty = ref(false)
  const error = ref<LabErrorData>()
  /** A save refused because the name exists: the view offers to overwrite. */
  const nameTaken = ref(false)
  const saving = ref(false)
  const notice = ref<string>()
  const checkKernel = ref('6.17')
  const kernelCheck = shallowRef<ProfileCheck>()
  const checking = ref(false)
  const importIssues = shallowRef<readonly DocumentIssue[]>([])
  let token = 0

  const builtins = computed(() => entries.value.filter((e) => e.source !== 'user'))
  const userProfiles = computed(() => entries.value.filter((e) => e.source === 'user'))
  const readOnly = computed(() => mode.value === 'builtin')
  /**
   * Live: the same schema as `daxlab profiles validate`, one sentence per bad field. A size box holds a
   * number beside a unit menu, so its problem is worded for the box rather than for the joined text.
   */
  const issues = computed(() =>
    profileFieldIssues(inputOf(draft.value)).map((issue) => {
      const index = /^regions\[(\d+)\]\.size$/.exec(issue.field)?.[1]
      const region = index === undefined ? undefined : draft.value.regions[Number(index)]
      if (!region || /^\s*\d+\s*$/.test(region.sizeValue)) return issue
      return { field: issue.field, message: `Write the size as a whole number of ${region.sizeUnit} (for 1.5 GiB, pick MiB and write 1536).` }
    }),
  )
  const issueByField = computed(() => new Map(issues.value.map((i) => [i.field, i.message])))
  const valid = computed(() => issues.value.length === 0)

  function issueFor(field: string): string | undefined {
    // A backend refusal (a taken or built-in name) shows beside its field too, until the next edit.
    if (error.value?.field === `profile.${field}`) return error.value.message
    return issueByField.value.get(field)
  }

  async function load(): Promise<void> {
    try {
      entries.value = await getLabApi().listProfiles(undefined)
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  function reset(next: ProfileDraft, nextMode: EditorMode, name: string | undefined): void {
    draft.value = next
    mode.value = nextMode
    savedName.value = nextMode === 'user' ? name : undefined
    selectedName.value = name
    dirty.value = false
    error.value = undefined
    nameTaken.value = false
    kernelCheck.value = undefined
    importIssues.value = []
    notice.value = undefined
  }

  async function open(name: string): Promise<void> {
    const mine = ++token
    selectedName.value = name
    try {
      const doc = await getLabApi().getProfile({ name })
      if (mine === token) reset(draftOf(doc.profile), doc.source, name)
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    }
  }

  const takenNames = computed(() => new Set(entries.value.map((e) => e.name)))

  function create(): void {
    ++token
    const fresh = blankProfile()
    fresh.name = uniqueName('my-machine', takenNames.value)
    reset(fresh, 'new', undefined)
    dirty.value = true
  }

  /** A built-in used as a template, or a copy of a user profile: a new profile, not saved yet. */
  function duplicate(): void {
    ++token
    const copy: ProfileDraft = { ...draft.value, name: uniqueName(`${draft.value.name || 'profile'}-copy`, takenNames.value), regions: draft.value.regions.map((r) => ({ ...r, key: freshKey() })) }
    reset(copy, 'new', undefined)
    dirty.value = true
  }

  function edited(): void {
    dirty.value = true
    nameTaken.value = false
    kernelCheck.value = undefined
    notice.value = undefined
    if (error.value?.code === 'invalid_request') error.value = undefined
  }

  function addRegion(type: RegionType = 'fsdax'): void {
    const index = draft.value.regions.filter((r) => r.type === type).length
    draft.value.regions.push(blankRegion(type, index))
    edited()
  }

  function removeRegion(index: number): void {
    draft.value.regions.splice(index, 1)
    edited()
  }

  function moveRegion(index: number, by: -1 | 1): void {
    const to = index + by
    const list = draft.value.regions
    if (to < 0 || to >= list.length) return
    const [region] = list.splice(index, 1)
    list.splice(to, 0, region!)
    edited()
  }

  function setRegionType(index: number, type: RegionType): void {
    const region = draft.value.regions[index]
    if (!region || region.type === type) return
    draft.value.regions[index] = retype(region, type)
    edited()
  }

  /** Saves the form as a user profile; `replace` overwrites a user profile of that name. */
  async function save(options: { replace?: boolean } = {}): Promise<boolean> {
    if (!valid.value || readOnly.value) return false
    saving.value = true
    error.value = undefined
    nameTaken.value = false
    const renamedFrom = savedName.value !== undefined && savedName.value !== draft.value.name ? savedName.value : undefined
    try {
      const api = getLabApi()
      // Saving the profile under its own saved name is an edit: it overwrites without asking.
      const replace = options.replace === true || (savedName.value !== undefined && savedName.value === draft.value.name)
      const saved = await api.saveProfile({ profile: inputOf(draft.value), replace })
      if (renamedFrom !== undefined) await api.deleteProfile({ name: renamedFrom })
      mode.value = 'user'
      savedName.value = saved.name
      selectedName.value = saved.name
      dirty.value = false
      notice.value = `Saved '${saved.name}'. The Run form and the CLI (--profile ${saved.name}) can use it now.`
      await load()
      await useRunsStore().loadProfiles()
      return true
    } catch (err) {
      error.value = labErrorOf(err)
      nameTaken.value = /exists already/.test(error.value.message)
      return false
    } finally {
      saving.value = false
    }
  }

  async function remove(): Promise<void> {
    const name = savedName.value
    if (mode.value !== 'user' || name === undefined) return
    try {
      await getLabApi().deleteProfile({ name })
      await load()
      await useRunsStore().loadProfiles()
      create()
      notice.value = `Deleted '${name}'. Runs made on it keep their own copy.`
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  /** The `profiles validate --kernel` rules: ZONE_DEVICE selectable, sizes and aligns the variant maps. */
  async function check(): Promise<void> {
    if (!valid.value) return
    checking.value = true
    const mine = ++token
    try {
      const answer = await getLabApi().checkProfile({ profile: inputOf(draft.value), kernel: checkKernel.value.trim() })
      if (mine === token) kernelCheck.value = answer
    } catch (err) {
      if (mine === token) error.value = labErrorOf(err)
    } finally {
      checking.value = false
    }
  }

  /** Reads a YAML/JSON text (an uploaded or chosen file) into the form as a new profile; nothing is saved. */
  async function importText(text: string, fileName: string): Promise<void> {
    ++token
    try {
      const parsed = await getLabApi().parseProfile({ text })
      if (!parsed.profile) {
        importIssues.value = parsed.issues
        notice.value = `${fileName} is not a valid profile:`
        return
      }
      reset(draftOf(parsed.profile), 'new', undefined)
      dirty.value = true
      notice.value = `Imported ${fileName}. Check it, then Save.`
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  /** Import YAML…: asks for a file (Electron's dialog, or an upload) and reads it as importText does. */
  async function importFile(): Promise<void> {
    // The chooser opens before the first await: a browser shows it only during the click.
    const chosen = getLabFiles().importProfileFile()
    try {
      const file = await chosen
      if (file) await importText(file.text, file.fileName)
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  /** Export YAML: saves the form as YAML with units where the user picks (Electron's dialog, or a download). */
  async function exportFile(): Promise<void> {
    try {
      const saved = await getLabFiles().exportProfileFile(inputOf(draft.value))
      if (saved) notice.value = `Exported ${saved.fileName} (${saved.bytes} bytes).`
    } catch (err) {
      error.value = labErrorOf(err)
    }
  }

  /** The form as YAML with units (what Save stores), for Export. */
  function exportText(): string {
    return profileYaml(inputOf(draft.value))
  }

  return {
    entries,
    builtins,
    userProfiles,
    selectedName,
    mode,
    draft,
    savedName,
    dirty,
    error,
    nameTaken,
    saving,
    notice,
    checkKernel,
    kernelCheck,
    checking,
    importIssues,
    readOnly,
    issues,
    valid,
    issueFor,
    load,
    open,
    create,
    duplicate,
    edited,
    addRegion,
    removeRegion,
    moveRegion,
    setRegionType,
    save,
    remove,
    check,
    importText,
    importFile,
    exportFile,
    exportText,
  }
})
