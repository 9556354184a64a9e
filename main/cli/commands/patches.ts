/**
 * `daxlab patches list [--json] [--kernel <release>]`: the behavioural patches the engine switches on
 * and off (main/sim/patches.ts), each with its commit or title, the release it landed in and its
 * source; with --kernel, whether that release's preset has it.
 */
import type { Command } from 'commander'
import { PATCHES, presetFor } from '../../sim/patches'
import { resolveKernel } from '../../sim/kernel-model'
import { table } from '../table'

export function registerPatches(program: Command): void {
  const patches = program.command('patches').description('behavioural patches of the refcount series, and which releases have them')
  patches
    .command('list')
    .option('--kernel <release>', 'also say whether this release (or alias) has each patch')
    .option('--json', 'print JSON')
    .action((opts: { kernel?: string; json?: boolean }) => {
      const preset = opts.kernel === undefined ? undefined : presetFor(resolveKernel(opts.kernel))
      const rows = PATCHES.map((p) => ({
        name: p.name,
        title: p.title,
        commit: p.commit ?? null,
        release: p.release,
        source: p.source,
        depends_on: p.dependsOn,
        effect: p.effect,
        modelled: p.modelled,
        ...(preset ? { on: preset.has(p.name) } : {}),
      }))
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows, null, 2) + '\n')
        return
      }
      const head = ['patch', 'release', 'commit / title', 'source', 'depends on', ...(preset ? ['on'] : [])]
      const body = rows.map((r) => [
        r.modelled ? r.name : `${r.name} (recorded only)`,
        r.release,
        r.commit ? `${r.commit} ${r.title}` : r.title,
        r.source,
        r.depends_on.join(', ') || '-',
        ...(preset ? [r.on ? 'yes' : 'no'] : []),
      ])
      process.stdout.write(table(head, body) + '\n')
    })
}
