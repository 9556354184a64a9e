/** `daxlab arch list|show|encode|decode`: the page-table layouts of the arch plugins. */
import type { Command } from 'commander'
import { kernelArg } from '../args'

export interface ArchOpts {
  variant?: string
  kernel?: string
  json?: boolean
}

export function registerArch(program: Command): void {
  const actions = () => import('../actions/arch')
  const arch = program.command('arch').description('page-table entry layouts per arch, variant and kernel')
  arch
    .command('list')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => (await actions()).listArches(opts))
  arch
    .command('show')
    .argument('<arch>')
    .option('--variant <variant>', 'page-table variant (default: the arch\'s default)')
    .option('--kernel <version>', 'kernel release (default 6.17)', kernelArg)
    .option('--diff <range>', 'what changed between two releases, e.g. 6.16..6.17')
    .option('--json', 'print JSON')
    .action(async (archId: string, opts: ArchOpts & { diff?: string }) => (await actions()).showArch(archId, opts))
  arch
    .command('encode')
    .argument('<arch>')
    .requiredOption('--level <level>', 'pte, pmd or pud')
    .requiredOption('--pfn <pfn>', 'page frame number (0x... or decimal)')
    .option('--flags <list>', 'comma-separated flag names (kernel macro without prefix, e.g. PRESENT,DEVMAP); NAME=value sets a multi-bit field', '')
    .option('--variant <variant>', 'page-table variant')
    .option('--kernel <version>', 'kernel release (default 6.17)', kernelArg)
    .option('--json', 'print JSON')
    .action(async (archId: string, opts: ArchOpts & { level?: string; pfn: string; flags: string }) => (await actions()).encode(archId, opts))
  arch
    .command('decode')
    .argument('<arch>')
    .argument('<value>', 'entry value (0x...)')
    .requiredOption('--level <level>', 'pte, pmd or pud')
    .option('--variant <variant>', 'page-table variant')
    .option('--kernel <version>', 'kernel release (default 6.17)', kernelArg)
    .option('--json', 'print JSON')
    .action(async (archId: string, valueText: string, opts: ArchOpts & { level?: string }) => (await actions()).decode(archId, valueText, opts))
}
