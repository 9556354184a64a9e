/** `daxlab scenarios list|show` and `daxlab profiles list|show|validate`. */
import type { Command } from 'commander'
import { parseProfileText, parseScenarioText } from '../../formats/load'
import { formatSize } from '../../formats/units'
import { builtinProfile, builtinProfileNames, builtinScenario, builtinScenarioNames, builtinScenarioText, resolveProfile } from '../../library/index'
import { checkProfile } from '../../sim/run'
import { loadProfile, readText } from '../inputs'
import { table } from '../table'
import { UsageError } from './compare'

export function registerLibrary(program: Command): void {
  const scenarios = program.command('scenarios').description('built-in scenarios')
  scenarios
    .command('list')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const list = builtinScenarioNames().map((n) => {
        const s = builtinScenario(n)!
        return { name: n, profile: typeof s.profile === 'string' ? s.profile : 'inline', steps: s.steps.length, description: s.description.trim() }
      })
      if (opts.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n')
      else process.stdout.write(table(['name', 'profile', 'steps', 'description'], list.map((s) => [s.name, s.profile, String(s.steps), firstSentence(s.description)])) + '\n')
    })
  scenarios
    .command('show')
    .argument('<name>')
    .description('print a built-in scenario (YAML)')
    .action((name: string) => {
      const entry = builtinScenarioText(name)
      if (!entry) throw new UsageError(`no built-in scenario '${name}'`)
      process.stdout.write(entry.text)
    })

  const profiles = program.command('profiles').description('hardware profiles')
  profiles
    .command('list')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const list = builtinProfileNames().map((n) => builtinProfile(n)!).map((p) => ({ name: p.name ?? '', arch: p.arch, variant: p.variant ?? 'default', regions: p.regions.map((r) => `${r.name}:${r.type}:${formatSize(r.size)}`).join(' ') }))
      if (opts.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n')
      else process.stdout.write(table(['name', 'arch', 'variant', 'regions'], list.map((p) => [p.name, p.arch, p.variant, p.regions])) + '\n')
    })
  profiles
    .command('show')
    .argument('<profile>', 'built-in name or file')
    .option('--json', 'print JSON')
    .action((arg: string, opts: { json?: boolean }) => {
      const p = loadProfile(arg)
      if (opts.json) {
        process.stdout.write(JSON.stringify(p, null, 2) + '\n')
        return
      }
      process.stdout.write(`${p.name ?? arg}: ${p.description ?? ''}\narch ${p.arch}${p.variant ? ` (${p.variant})` : ''}\n`)
      process.stdout.write(table(['region', 'type', 'size', 'details'], p.regions.map((r) => [r.name, r.type, formatSize(r.size), regionDetails(r)])) + '\n')
    })
  profiles
    .command('validate')
    .argument('<file>', 'profile or scenario file to validate')
    .option('--kernel <version>', 'also check the machine against this kernel (default 6.17): ZONE_DEVICE, page sizes, devdax align')
    .option('--arch <arch>', 'check against another arch than the profile\'s')
    .option('--variant <variant>', 'page-table variant')
    .action((file: string, opts: { kernel?: string; arch?: string; variant?: string }) => {
      const text = readText(file)
      // A scenario is recognised by its steps; everything else is validated as a profile.
      const profile = /^steps\s*:/m.test(text) ? resolveProfile(parseScenarioText(text, file), file) : parseProfileText(text, file)
      checkProfile(profile, opts)
      const against = `${opts.arch ?? profile.arch}${opts.variant ? '/' + opts.variant : profile.variant ? '/' + profile.variant : ''}, kernel ${opts.kernel ?? '6.17'}`
      process.stdout.write(`${file}: valid (format, and the machine on ${against})\n`)
    })
}

function regionDetails(r: ReturnType<typeof loadProfile>['regions'][number]): string {
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
