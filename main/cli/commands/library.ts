/** `daxlab scenarios list|show|import|export|delete` and `daxlab profiles list|show|validate|import|export|delete`. */
import type { Command } from 'commander'
import { kernelArg } from '../args'

export interface ValidateOptions {
  kernel?: string
  arch?: string
  variant?: string
}

export interface LibraryStoreOptions {
  db?: string
  json?: boolean
}

export interface ImportOptions {
  db?: string
  replace?: boolean
}

export interface ExportOptions {
  db?: string
  output?: string
}

const DB_HELP = 'trace database holding the saved profiles and scenarios (default: the user data directory, or $DAXLAB_DB)'

export function registerLibrary(program: Command): void {
  const actions = () => import('../actions/library')
  const scenarios = program.command('scenarios').description('built-in and saved scenarios')
  scenarios
    .command('list')
    .option('--json', 'print JSON')
    .option('--db <path>', DB_HELP)
    .action(async (opts: LibraryStoreOptions) => (await actions()).listScenarios(opts))
  scenarios
    .command('show')
    .argument('<name>')
    .description('print a built-in or saved scenario (YAML)')
    .option('--db <path>', DB_HELP)
    .action(async (name: string, opts: LibraryStoreOptions) => (await actions()).showScenario(name, opts))
  scenarios
    .command('import')
    .argument('<file>', 'scenario file (YAML or JSON) to save under its name:')
    .description('save a scenario file as a user scenario (daxlab run NAME, the app)')
    .option('--replace', 'overwrite a saved scenario of the same name')
    .option('--db <path>', DB_HELP)
    .action(async (file: string, opts: ImportOptions) => (await actions()).importScenario(file, opts))
  scenarios
    .command('delete')
    .argument('<name>', 'saved scenario')
    .option('--db <path>', DB_HELP)
    .action(async (name: string, opts: LibraryStoreOptions) => (await actions()).deleteScenario(name, opts))

  const profiles = program.command('profiles').description('hardware profiles')
  profiles
    .command('list')
    .description('built-in and saved profiles (source: builtin or user)')
    .option('--json', 'print JSON')
    .option('--db <path>', DB_HELP)
    .action(async (opts: LibraryStoreOptions) => (await actions()).listProfiles(opts))
  profiles
    .command('show')
    .argument('<profile>', 'built-in or saved name, or a file')
    .option('--json', 'print JSON')
    .option('--db <path>', DB_HELP)
    .action(async (arg: string, opts: LibraryStoreOptions) => (await actions()).showProfile(arg, opts))
  profiles
    .command('import')
    .argument('<file>', 'profile file (YAML or JSON) with a name:')
    .description('save a profile file as a user profile (--profile NAME, the app)')
    .option('--replace', 'overwrite a saved profile of the same name')
    .option('--db <path>', DB_HELP)
    .action(async (file: string, opts: ImportOptions) => (await actions()).importProfile(file, opts))
  profiles
    .command('export')
    .argument('<name>', 'built-in or saved profile')
    .description('write a profile as YAML (to stdout, or -o FILE)')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--db <path>', DB_HELP)
    .action(async (name: string, opts: ExportOptions) => (await actions()).exportProfile(name, opts))
  profiles
    .command('delete')
    .argument('<name>', 'saved profile')
    .option('--db <path>', DB_HELP)
    .action(async (name: string, opts: LibraryStoreOptions) => (await actions()).deleteProfile(name, opts))
  profiles
    .command('validate')
    .argument('<file>', 'profile or scenario file to validate')
    .option('--kernel <version>', "also check the machine against this kernel (default: the scenario's kernel, else 6.17): ZONE_DEVICE, page sizes, devdax align, physical addresses", kernelArg)
    .option('--arch <arch>', 'check against another arch than the profile\'s')
    .option('--variant <variant>', 'page-table variant')
    .action(async (file: string, opts: ValidateOptions) => (await actions()).validateFile(file, opts))
}
