/** `daxlab sessions export NAME -o FILE.daxlab` and `daxlab sessions import FILE [--as NAME]` (docs/sessions.md#archive). */
import type { Command } from 'commander'
import { importArchive, exportSession } from '../../store/sessions/archive'
import { openArchive } from '../../store/sessions/archive-format'
import { withSessions } from './sessions'

const print = (text: string): void => void process.stdout.write(text + '\n')

export function registerArchiveCommands(sessions: Command, labVersion: string): void {
  sessions
    .command('export')
    .description('write a session with its runs, events, profiles and scenarios to one self-contained .daxlab archive')
    .argument('<name>', 'session name')
    .requiredOption('-o, --output <file>', 'archive file to write (replaced atomically if it exists)')
    .option('--db <path>', 'trace database')
    .option('--json', 'print the outcome as JSON')
    .action((name: string, opts: { output: string; db?: string; json?: boolean }) => {
      const out = withSessions(opts.db, (s) => exportSession(s.traceStore, name, opts.output, labVersion))
      if (opts.json) return print(JSON.stringify(out, null, 2))
      print(`exported session '${name}' (${out.runs} runs, ${out.bytes} bytes) to ${out.file}\nsha256 ${out.checksum}`)
    })
  sessions
    .command('import')
    .description('import a .daxlab archive (shards of one sweep merge into one session)')
    .argument('<file>', 'archive file')
    .option('--as <name>', 'import under this session name')
    .option('--db <path>', 'trace database')
    .option('--json', 'print the outcome as JSON')
    .action((file: string, opts: { as?: string; db?: string; json?: boolean }) => {
      // The archive is checked in full before the store is opened: a refused file changes nothing.
      const archive = openArchive(file)
      try {
        const out = withSessions(opts.db, (s) => importArchive(s.traceStore, archive, opts.as))
        if (opts.json) return print(JSON.stringify(out, null, 2))
        if (out.status === 'duplicate') print(`nothing imported: this archive (sha256 ${archive.checksum.slice(0, 16)}...) was already imported as session '${out.session}'`)
        else if (out.status === 'nothing-new') print(`nothing imported: session '${out.session}' already holds every combination in this archive`)
        else if (out.status === 'merged') print(`merged ${out.combinations} combinations (${out.runs} runs) into session '${out.session}'`)
        else print(`imported session '${out.session}' (${out.runs} runs)`)
      } finally {
        archive.db.close()
      }
    })
}
