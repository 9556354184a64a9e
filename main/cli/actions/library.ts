/** `daxlab scenarios list|show` and `daxlab profiles list|show|validate`. */
import type { Profile } from '../../formats/profile'
import { formatSize } from '../../formats/units'
import { builtinProfile, builtinProfileNames, builtinScenario, builtinScenarioNames, builtinScenarioText, resolveProfile } from '../../library/index'
import { allSteps } from '../../explore/concurrent-run'
import { checkProfile } from '../../sim/run'
import type { ValidateOptions } from '../commands/library'
import { loadProfile, loadValidatable } from '../inputs'
import { table } from '../table'
import { printOut } from '../terminal-text'
import { UsageError } from '../usage-error'

export function listScenarios(opts: { json?: boolean }): void {
  const list = builtinScenarioNames().map((n) => {
    const s = builtinScenario(n)!
    return { name: n, profile: typeof s.profile === 'string' ? s.profile : 'inline', steps: allSteps(s).length, description: s.description.trim() }
  })
  if (opts.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n')
  else printOut(table(['name', 'profile', 'steps', 'description'], list.map((s) => [s.name, s.profile, String(s.steps), firstSentence(s.description)])) + '\n')
}

export function showScenario(name: string): void {
  const entry = builtinScenarioText(name)
  if (!entry) throw new UsageError(`no built-in scenario '${name}' (built-ins: ${builtinScenarioNames().join(', ')})`)
  printOut(entry.text)
}

export function listProfiles(opts: { json?: boolean }): void {
  const list = builtinProfileNames()
    .map((n) => builtinProfile(n)!)
    .map((p) => ({ name: p.name ?? '', arch: p.arch, variant: p.variant ?? 'default', regions: p.regions.map((r) => `${r.name}:${r.type}:${formatSize(r.size)}`).join(' ') }))
  if (opts.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n')
  else printOut(table(['name', 'arch', 'variant', 'regions'], list.map((p) => [p.name, p.arch, p.variant, p.regions])) + '\n')
}

export function showProfile(arg: string, opts: { json?: boolean }): void {
  const p = loadProfile(arg)
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
