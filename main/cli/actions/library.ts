/** `daxlab scenarios list|show|import|delete` and `daxlab profiles list|show|validate|import|export|delete`. */
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseScenarioText } from '../../formats/load'
import { scenarioTopic } from '../../library/topic'
import type { Profile } from '../../formats/profile'
import { formatSize } from '../../formats/units'
import { builtinProfile, builtinProfileNames, builtinProfileText, builtinScenario, builtinScenarioNames, builtinScenarioText, resolveProfile } from '../../library/index'
import { allSteps } from '../../explore/concurrent-run'
import { checkProfile } from '../../sim/run'
import { UserLibrary, UserLibraryError } from '../../store/user-library'
import type { ExportOptions, ImportOptions, LibraryStoreOptions, ValidateOptions } from '../commands/library'
import { fromUserLibrary, loadProfile, loadValidatable, readText, withStore } from '../inputs'
import { table } from '../table'
import { printOut } from '../terminal-text'
import { UsageError } from '../usage-error'

/** Built-ins first, then the user's saved ones (`source: user`); a missing store has none. */
export function listScenarios(opts: LibraryStoreOptions): void {
  const builtins = builtinScenarioNames().map((n) => ({ name: n, scenario: builtinScenario(n)!, source: 'builtin' }))
  const saved = fromUserLibrary(opts.db, (library) => library.listScenarios().map((e) => ({ name: e.name, scenario: parseScenarioText(library.scenarioText(e.name)!, e.name), source: 'user' }))) ?? []
  const list = [...builtins, ...saved].map(({ name, scenario: s, source }) => ({
    name,
    profile: typeof s.profile === 'string' ? s.profile : 'inline',
    steps: allSteps(s).length,
    description: s.description.trim(),
    source,
    topic: scenarioTopic(name, s),
  }))
  if (opts.json) {
    process.stdout.write(JSON.stringify(list, null, 2) + '\n')
    return
  }
  // Grouped by topic (topics in name order; inside each, built-ins then saved ones, by name), the topic named once per group.
  const grouped = [...list].sort((a, b) => (a.topic === b.topic ? 0 : a.topic < b.topic ? -1 : 1))
  const rows = grouped.map((s, i) => [i > 0 && grouped[i - 1]!.topic === s.topic ? '' : s.topic, s.name, s.source, s.profile, String(s.steps), firstSentence(s.description)])
  printOut(table(['topic', 'name', 'source', 'profile', 'steps', 'description'], rows) + '\n')
}

export function showScenario(name: string, opts: LibraryStoreOptions = {}): void {
  const text = builtinScenarioText(name)?.text ?? fromUserLibrary(opts.db, (library) => library.scenarioText(name))
  // The message as it was before saved scenarios (scripts may match it); `scenarios list` shows the saved ones.
  if (text === undefined) throw new UsageError(`no built-in scenario '${name}' (built-ins: ${builtinScenarioNames().join(', ')})`)
  printOut(text)
}

export function listProfiles(opts: LibraryStoreOptions): void {
  const builtins = builtinProfileNames().map((n) => ({ profile: builtinProfile(n)!, source: 'builtin' }))
  const saved = fromUserLibrary(opts.db, (library) => library.listProfiles().map((e) => ({ profile: library.profile(e.name)!, source: 'user' }))) ?? []
  const list = [...builtins, ...saved].map(({ profile: p, source }) => ({
    name: p.name ?? '',
    arch: p.arch,
    variant: p.variant ?? 'default',
    regions: p.regions.map((r) => `${r.name}:${r.type}:${formatSize(r.size)}`).join(' '),
    source,
  }))
  if (opts.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n')
  else printOut(table(['name', 'source', 'arch', 'variant', 'regions'], list.map((p) => [p.name, p.source, p.arch, p.variant, p.regions])) + '\n')
}

/** Saves a file in the store's user library; a refused name or document is the one error printed. */
function importInto(file: string, opts: ImportOptions, save: (library: UserLibrary, text: string) => string, kind: string): void {
  const text = readText(file)
  const name = withStore(opts.db, (store) => {
    try {
      return save(new UserLibrary(store), text)
    } catch (err) {
      if (err instanceof UserLibraryError && err.format) throw err.format
      if (err instanceof UserLibraryError) throw new UsageError(`${file}: ${err.message}${/exists already/.test(err.message) ? ' (--replace overwrites it)' : ''}`)
      throw err
    }
  })
  printOut(`saved ${kind} '${name}' from ${file}\n`)
}

export function importProfile(file: string, opts: ImportOptions): void {
  importInto(file, opts, (library, text) => library.saveProfile(text, { replace: opts.replace, file }), 'profile')
}

export function importScenario(file: string, opts: ImportOptions): void {
  importInto(file, opts, (library, text) => library.saveScenario(text, { replace: opts.replace, file }), 'scenario')
}

/** A built-in's file as shipped, a saved profile as saved. */
export function exportProfile(name: string, opts: ExportOptions): void {
  const text = builtinProfileText(name)?.text ?? fromUserLibrary(opts.db, (library) => library.profileText(name))
  if (text === undefined) throw new UsageError(`no built-in or saved profile '${name}' (daxlab profiles list)`)
  if (opts.output === undefined) {
    printOut(text)
    return
  }
  writeFileSync(opts.output, text)
  printOut(`wrote profile '${name}' to ${resolve(opts.output)}\n`)
}

function deleteSaved(name: string, opts: LibraryStoreOptions, kind: 'profile' | 'scenario'): void {
  const builtin = kind === 'profile' ? builtinProfileText(name) : builtinScenarioText(name)
  if (builtin) throw new UsageError(`'${name}' is a built-in ${kind}; built-ins cannot be deleted`)
  const deleted = fromUserLibrary(opts.db, (library) => (kind === 'profile' ? library.deleteProfile(name) : library.deleteScenario(name))) ?? false
  if (!deleted) throw new UsageError(`no saved ${kind} '${name}' (daxlab ${kind}s list)`)
  printOut(`deleted ${kind} '${name}'\n`)
}

export function deleteProfile(name: string, opts: LibraryStoreOptions): void {
  deleteSaved(name, opts, 'profile')
}

export function deleteScenario(name: string, opts: LibraryStoreOptions): void {
  deleteSaved(name, opts, 'scenario')
}

export function showProfile(arg: string, opts: LibraryStoreOptions): void {
  const p = loadProfile(arg, opts.db)
  if (opts.json) {
    process.stdout.write(JSON.stringify(p, null, 2) + '\n')
    return
  }
  printOut(`${p.name ?? arg}: ${p.description ?? ''}\narch ${p.arch}${p.variant ? ` (${p.variant})` : ''}\n`)
  printOut(table(['region', 'type', 'size', 'details'], p.regions.map((r) => [r.name, r.type, formatSize(r.size), regionDetails(r)])) + '\n')
}

export function validateFile(file: string, opts: ValidateOptions): void {
  const doc = loadValidatable(file)
  const profile = doc.kind === 'scenario' ? resolveProfile(doc.scenario, file) : doc.profile
  // A scenario's own kernel counts, as it does for `daxlab run`; --kernel overrides it.
  const kernel = opts.kernel ?? (doc.kind === 'scenario' ? doc.scenario.kernel : undefined) ?? '6.17'
  checkProfile(profile, { ...opts, kernel })
  const against = `${opts.arch ?? profile.arch}${opts.variant ? '/' + opts.variant : profile.variant ? '/' + profile.variant : ''}, kernel ${kernel}`
  printOut(`${file}: valid (format, and the machine on ${against})\n`)
}

function regionDetails(r: Profile['regions'][number]): string {
  switch (r.type) {
    case 'fsdax':
      return `${r.fs} at ${r.mount}`
    case 'devdax':
      return `align ${r.align}`
    default:
      return ''
  }
}

function firstSentence(text: string): string {
  const s = text.replace(/\s+/g, ' ')
  const end = s.indexOf('. ')
  return end > 0 && end < 110 ? s.slice(0, end + 1) : s.length > 110 ? s.slice(0, 107) + '...' : s
}
