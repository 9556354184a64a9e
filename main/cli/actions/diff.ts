/** `daxlab diff A B`: sessions by name or .daxlab archives read in place; exit 0 identical, 1 different, 2 error. */
import { existsSync, statSync } from 'node:fs'
import { renderDiffMarkdown, renderDiffText } from '../../diff/render'
import { diffSessions } from '../../diff/session-diff'
import type { DiffSide } from '../../diff/types'
import { openArchive, type OpenedArchive } from '../../store/sessions/archive-format'
import { diffSide } from '../../store/sessions/diff-source'
import { TraceStore } from '../../store/trace-store'
import type { DiffOptions } from '../commands/diff'
import { dbPathFrom } from '../inputs'
import { printOut, printOutPainted } from '../terminal-text'
import { UsageError } from '../usage-error'

/** An operand is an archive when it names an existing file or ends in .daxlab; otherwise a session. */
function isArchive(arg: string): boolean {
  return arg.endsWith('.daxlab') || (existsSync(arg) && statSync(arg).isFile())
}

export function diff(a: string, b: string, opts: DiffOptions): void {
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
    else if (opts.markdown) printOut(renderDiffMarkdown(diff) + '\n')
    else {
      const color = opts.color !== false && process.stdout.isTTY === true
      const text = renderDiffText(diff, { color }) + '\n'
      if (color) printOutPainted(text)
      else printOut(text)
    }
    process.exitCode = diff.identical ? 0 : 1
  } catch (e) {
    // Every failure is exit 2, so a script can tell "different" (1) from "could not diff".
    throw e instanceof UsageError ? e : new UsageError((e as Error).message)
  } finally {
    for (const archive of archives) archive.db.close()
    store?.close()
  }
}
