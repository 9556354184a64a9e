/** `daxlab scenarios list|show` and `daxlab profiles list|show|validate`. */
import type { Command } from 'commander'
import { kernelArg } from '../args'

export interface ValidateOptions {
  kernel?: string
  arch?: string
  variant?: string
}

export function registerLibrary(program: Command): void {
  const actions = () => import('../actions/library')
  const scenarios = program.command('scenarios').description('built-in scenarios')
  scenarios
    .command('list')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => (await actions()).listScenarios(opts))
  scenarios
    .command('show')
    .argument('<name>')
    .description('print a built-in scenario (YAML)')
    .action(async (name: string) => (await actions()).showScenario(name))

  const profiles = program.command('profiles').description('hardware profiles')
  profiles
    .command('list')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => (await actions()).listProfiles(opts))
  profiles
    .command('show')
    .argument('<profile>', 'built-in name or file')
    .option('--json', 'print JSON')
    .action(async (arg: string, opts: { json?: boolean }) => (await actions()).showProfile(arg, opts))
  profiles
    .command('validate')
    .argument('<file>', 'profile or scenario file to validate')
    .option('--kernel <version>', "also check the machine against this kernel (default: the scenario's kernel, else 6.17): ZONE_DEVICE, page sizes, devdax align, physical addresses", kernelArg)
    .option('--arch <arch>', 'check against another arch than the profile\'s')
    .option('--variant <variant>', 'page-table variant')
    .action(async (file: string, opts: ValidateOptions) => (await actions()).validateFile(file, opts))
}
