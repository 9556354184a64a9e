/**
 * `daxlab diff A B`: the semantic diff of two sessions (names in the store, or .daxlab archives read
 * in place without importing). Exit 0 identical, 1 different, 2 error, like diff(1).
 */
import { existsSync, statSync } from 'node:fs'
import type { Command } from 'commander'
import { renderDiffMarkdown, renderDiffText } from '../../diff/render'
import { diffSessions } from '../../diff/session-diff'
import type { DiffSide } from '../../diff/types'
import { openArchive, type OpenedArchive } from '../../store/sessions/archive-format'
import { diffSide } from '../../store/sessions/diff-source'
import { TraceStore } from '../../store/trace-store'
import { dbPathFrom } from '../inputs'
import { UsageError } from './compare'

interface DiffOptions {
  db?: string
  json?: boolean
  markdown?: boolean
  color?: boolean
}

/** An operand is an archive when it names an existing file or ends in .daxlab; otherwise a session. */
function isArchive(arg: string): boolean {
  return arg.endsWith('.daxlab') || (existsSync(arg) && statSync(arg).isFile())
}

export function registerDiff(program: Command): void {
  program
    .command('diff')
    .description('diff two sessions (names, or .daxlab archives read without importing); exit 0 identical, 1 different, 2 error')
    .argument('<a>', 'session name or archive file')
    .argument('<b>', 'session name or archive file')
    .option('--db <path>', 'trace database holding the named sessions')
    .option('--markdown', 'print a Markdown table (for a mailing-list reply or a pull request)')
    .option('--json', 'print the diff as JSON (docs/formats.md#session-diff-json)')
    .option('--no-color', 'no colour even on a terminal')
    .action((a: string, b: string, opts: DiffOptions) => {
      const archives: OpenedArchive[] = []
      let store: TraceStore | undefined
      try {
        const side = (arg: string): DiffSide => {
          if (isArchive(arg)) {
            const archive = openArchive(arg)
            archives.push(archive)
            const name = archive.db.prepare('SELECT name FROM sessions').pluck().get() as string
            return diffSide(archive.db, name, arg)!
          }
          store ??= TraceStore.open(dbPathFrom(opts.db))
          const found = diffSide(store.connection(), arg, arg)
          if (!found) throw new UsageError(`no session '${arg}' in ${store.path} (an archive file must exist or end in .daxlab)`)
          return found
        }
        const diff = diffSessions(side(a), side(b))
        if (opts.json) process.stdout.write(JSON.stringify(diff, null, 2) + '\n')
        else if (opts.markdown) process.stdout.write(renderDiffMarkdown(diff) + '\n')
        else process.stdout.write(renderDiffText(diff, { color: opts.color !== false && process.stdout.isTTY === true }) + '\n')
        process.exitCode = diff.identical ? 0 : 1
      } catch (e) {
        // Every failure is exit 2, so a script can tell "different" (1) from "could not diff".
        throw e instanceof UsageError ? e : new UsageError((e as Error).message)
      } finally {
        for (const archive of archives) archive.db.close()
        store?.close()
      }
    })
}
