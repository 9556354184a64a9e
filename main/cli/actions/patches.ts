/** `daxlab patches list`: the behavioural patches and, with --kernel, whether a release's preset has each. */
import { PATCHES } from '../../sim/patches'
import { kernelPreset } from '../../sim/kernel-model'
import type { PatchesListOptions } from '../commands/patches'
import { table } from '../table'
import { printOut } from '../terminal-text'

export function listPatches(opts: PatchesListOptions): void {
  const preset = opts.kernel === undefined ? undefined : kernelPreset(opts.kernel)
  const rows = PATCHES.map((p) => ({
    name: p.name,
    title: p.title,
    commit: p.commit ?? null,
    release: p.release,
    source: p.source,
    depends_on: p.dependsOn,
    conflicts_with: p.conflictsWith ?? [],
    posted: p.posted ?? null,
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
    r.commit ? `${r.commit} ${r.title}` : r.posted ? `${r.title} (${r.posted})` : r.title,
    r.source,
    r.depends_on.join(', ') || '-',
    ...(preset ? [r.on ? 'yes' : 'no'] : []),
  ])
  printOut(table(head, body) + '\n')
}
