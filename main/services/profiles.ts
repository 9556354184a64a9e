/**
 * The library behind the contract's profile and scenario methods: built-ins (read-only templates) and
 * the user's own, saved in the store (main/store/user-library.ts). One resolver for names, used by runs
 * too, so a user profile or scenario works wherever a built-in name does. Node layer, no electron.
 */
import { ArchError } from '../../arch/entry'
import { LIBRARY_METHODS, type DocumentIssue, type LabApi, type LabRequest, type LibraryMethod, type LibraryEntry, type ParsedProfile, type ProfileCheck, type ProfileDocument, type ScenarioCheck } from '../contract/api'
import { LabError } from '../contract/envelope'
import { FormatError } from '../formats/errors'
import { parseProfileText, parseScenarioText } from '../formats/load'
import { profileSchema, type Profile } from '../formats/profile'
import { profileYaml } from '../formats/profile-yaml'
import type { Scenario } from '../formats/scenario'
import { builtinProfile, builtinProfileNames, builtinProfileText, builtinScenario, builtinScenarioNames, builtinScenarioText } from '../library/index'
import { ModelError } from '../sim/errors'
import { KernelVersionError, resolveKernel } from '../sim/kernel-model'
import { checkProfile } from '../sim/run'
import { StoreError } from '../store/trace-store'
import type { TraceStore } from '../store/trace-store'
import { scenarioTopic } from '../library/topic'
import { UserLibrary, UserLibraryError } from '../store/user-library'

function issuesOf(err: FormatError): DocumentIssue[] {
  return err.issues.map((i) => ({ path: i.path, message: i.reason, ...(i.line !== undefined ? { line: i.line } : {}) }))
}

/** A store refusal or a refused name/text as the contract's error, naming the request field. */
function asLabError(err: unknown, fields: { name: string; text: string }): never {
  if (err instanceof UserLibraryError) throw new LabError({ code: 'invalid_request', field: fields[err.field], message: err.message })
  if (err instanceof StoreError) throw new LabError({ code: 'failed', message: err.message })
  throw err
}

/** The region a checkProfile message names (`region 'pmem0': ...`), as a form field path. */
function regionField(profile: Profile, message: string): string | undefined {
  const named = /^region '([^']+)'/.exec(message)?.[1]
  const index = profile.regions.findIndex((r) => r.name === named)
  if (index < 0) return undefined
  if (/\balign/.test(message)) return `regions[${index}].align`
  if (/\bsize\b/.test(message)) return `regions[${index}].size`
  return `regions[${index}]`
}

export interface ProfileLibrary {
  listProfiles(): LibraryEntry[]
  listScenarios(): LibraryEntry[]
  /** A built-in or user profile by name, parsed; undefined when neither has it. */
  profile(name: string): Profile | undefined
  /** A built-in or user scenario's text by name. */
  scenarioText(name: string): { text: string; file: string } | undefined
  /** The names a missing one could have been, for errors. */
  profileNames(): string[]
  getProfile(request: LabRequest<'getProfile'>): ProfileDocument
  saveProfile(request: LabRequest<'saveProfile'>): LibraryEntry
  deleteProfile(request: LabRequest<'deleteProfile'>): { deleted: boolean }
  checkProfile(request: LabRequest<'checkProfile'>): ProfileCheck
  parseProfile(request: LabRequest<'parseProfile'>): ParsedProfile
  checkScenario(request: LabRequest<'checkScenario'>): ScenarioCheck
  saveScenario(request: LabRequest<'saveScenario'>): LibraryEntry
  deleteScenario(request: LabRequest<'deleteScenario'>): { deleted: boolean }
}

/** Those methods as the LabApi's async functions, for the service to spread in. */
export function libraryApi(library: ProfileLibrary): Pick<LabApi, LibraryMethod> {
  return Object.fromEntries(LIBRARY_METHODS.map((method) => [method, async (request: never) => (library[method] as (r: never) => unknown)(request)])) as unknown as Pick<LabApi, LibraryMethod>
}

export function createProfileLibrary(store: TraceStore): ProfileLibrary {
  const user = new UserLibrary(store)
  // Built-ins never change while the process runs: list them once.
  let builtinProfiles: LibraryEntry[] | undefined
  let builtinScenarios: LibraryEntry[] | undefined
  const scenarioEntry = (name: string, s: Scenario | undefined, source: 'builtin' | 'user'): LibraryEntry => ({
    name,
    description: s?.description ?? '',
    topic: scenarioTopic(name, s),
    sources: s?.sources ?? [],
    ...(s?.kernel !== undefined ? { kernel: s.kernel } : {}),
    source,
  })
  const library: ProfileLibrary = {
    listProfiles() {
      builtinProfiles ??= builtinProfileNames().map((n) => {
        const p = builtinProfile(n)
        return { name: n, description: p?.description ?? '', source: 'builtin' as const, ...(p ? { arch: p.arch } : {}) }
      })
      const own = user.listProfiles().map((p) => ({ name: p.name, description: p.description, source: 'user' as const, arch: p.arch }))
      return [...builtinProfiles, ...own]
    },
    listScenarios() {
      builtinScenarios ??= builtinScenarioNames().map((n) => scenarioEntry(n, builtinScenario(n), 'builtin'))
      // A user scenario's sources and kernel come from its text; parsing each is cheap next to listing.
      const own = user.listScenarios().map((s) => scenarioEntry(s.name, parseScenarioText(user.scenarioText(s.name)!, s.name), 'user'))
      return [...builtinScenarios, ...own]
    },
    profile(name) {
      return builtinProfile(name) ?? user.profile(name)
    },
    scenarioText(name) {
      const builtin = builtinScenarioText(name)
      if (builtin) return builtin
      const text = user.scenarioText(name)
      return text === undefined ? undefined : { text, file: `user scenario ${name}` }
    },
    profileNames() {
      return [...builtinProfileNames(), ...user.listProfiles().map((p) => p.name)]
    },
    getProfile({ name }) {
      const builtin = builtinProfileText(name)
      if (builtin) return { name, source: 'builtin', profile: builtinProfile(name)!, text: builtin.text }
      const text = user.profileText(name)
      if (text === undefined) throw new LabError({ code: 'not_found', field: 'name', message: `no built-in profile '${name}' and no saved one (one of: ${library.profileNames().join(', ')})` })
      return { name, source: 'user', profile: parseProfileText(text, `user profile ${name}`), text }
    },
    saveProfile({ profile, replace }) {
      // The request passed profileSchema already; saving as YAML with units keeps the text readable.
      const parsed = profileSchema.parse(profile)
      try {
        const name = user.saveProfile(profileYaml(parsed), { replace })
        return { name, description: parsed.description ?? '', source: 'user', arch: parsed.arch }
      } catch (err) {
        asLabError(err, { name: 'profile.name', text: 'profile' })
      }
    },
    deleteProfile({ name }) {
      if (builtinProfileText(name)) throw new LabError({ code: 'invalid_request', field: 'name', message: `'${name}' is a built-in profile; built-ins cannot be deleted` })
      try {
        return { deleted: user.deleteProfile(name) }
      } catch (err) {
        asLabError(err, { name: 'name', text: 'name' })
      }
    },
    checkProfile({ profile, kernel, arch, variant }) {
      const parsed = profileSchema.parse(profile)
      try {
        resolveKernel(kernel)
      } catch (err) {
        if (err instanceof KernelVersionError) throw new LabError({ code: 'invalid_request', field: 'kernel', message: err.message })
        throw err
      }
      const archId = arch ?? parsed.arch
      const variantName = variant ?? (archId === parsed.arch ? parsed.variant : undefined) ?? 'default'
      try {
        checkProfile(parsed, { kernel, arch, variant })
        return { ok: true, kernel, arch: archId, variant: variantName }
      } catch (err) {
        if (err instanceof ArchError) {
          const field = variant !== undefined || (arch === undefined && parsed.variant !== undefined) ? 'variant' : 'arch'
          return { ok: false, kernel, arch: archId, variant: variantName, problem: err.message, field }
        }
        if (!(err instanceof ModelError)) throw err
        const field = regionField(parsed, err.message)
        return { ok: false, kernel, arch: archId, variant: variantName, problem: err.message, ...(field ? { field } : {}) }
      }
    },
    parseProfile({ text }) {
      try {
        return { profile: parseProfileText(text, 'profile'), issues: [] }
      } catch (err) {
        if (err instanceof FormatError) return { issues: issuesOf(err) }
        throw err
      }
    },
    checkScenario({ text }) {
      try {
        const scenario = parseScenarioText(text, 'scenario')
        const profile = scenario.profile
        // A profile named by the scenario must exist (a built-in or the user's), or the run would fail.
        if (typeof profile === 'string' && library.profile(profile) === undefined) {
          return { name: scenario.name, issues: [{ path: 'profile', message: `no built-in profile '${profile}' and no saved one (one of: ${library.profileNames().join(', ')})`, ...profileLine(text) }] }
        }
        return { name: scenario.name, issues: [] }
      } catch (err) {
        if (err instanceof FormatError) return { issues: issuesOf(err) }
        throw err
      }
    },
    saveScenario({ text, replace }) {
      try {
        const name = user.saveScenario(text, { replace })
        return scenarioEntry(name, parseScenarioText(text, name), 'user')
      } catch (err) {
        asLabError(err, { name: 'text', text: 'text' })
      }
    },
    deleteScenario({ name }) {
      if (builtinScenarioText(name)) throw new LabError({ code: 'invalid_request', field: 'name', message: `'${name}' is a built-in scenario; built-ins cannot be deleted` })
      try {
        return { deleted: user.deleteScenario(name) }
      } catch (err) {
        asLabError(err, { name: 'name', text: 'name' })
      }
    },
  }
  return library
}

/** The line of a top-level `profile:` key, for the diagnostic of a profile that does not exist. */
function profileLine(text: string): { line?: number } {
  const index = text.split('\n').findIndex((l) => /^profile\s*:/.test(l))
  return index < 0 ? {} : { line: index + 1 }
}
