/**
 * `daxlab`: the headless CLI. Every command runs the same pure engine and the same store as the app.
 * Errors print as `daxlab: error: ...` lines on stderr and exit 1; usage errors exit 2.
 *
 * Startup: this file and the command files (commands/*.ts) only declare commands; each action loads its
 * code with a dynamic import (actions/*.ts), so `--version` and `--help` load commander and nothing else.
 */
import { Command, CommanderError } from 'commander'
import { FormatError } from '../formats/errors'
import { registerArch } from './commands/arch'
import { registerCheckTrace } from './commands/check-trace'
import { registerCompare } from './commands/compare'
import { registerDiff } from './commands/diff'
import { registerExplore } from './commands/explore'
import { registerExport } from './commands/export'
import { registerImportTrace } from './commands/import-trace'
import { registerLibrary } from './commands/library'
import { registerPatches } from './commands/patches'
import { registerRun } from './commands/run'
import { registerRuns } from './commands/runs'
import { registerServe } from './commands/serve'
import { registerSessions } from './commands/sessions'
import { registerStore } from './commands/store'
import { registerSweep } from './commands/sweep'
import { escapeTerminal, printErr } from './terminal-text'
import { UsageError } from './usage-error'

export function buildProgram(): Command {
  const program = new Command('daxlab')
    .description('DAX Refcount Lab: ZONE_DEVICE page reference counting across Linux kernel releases')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    // commander echoes argument values in its errors: those are user text too.
    .configureOutput({ writeOut: (s) => process.stdout.write(escapeTerminal(s)), writeErr: (s) => process.stderr.write(escapeTerminal(s)) })
  registerRun(program)
  registerCompare(program)
  registerRuns(program)
  registerLibrary(program)
  registerArch(program)
  registerServe(program)
  registerStore(program)
  registerSessions(program)
  registerSweep(program)
  registerDiff(program)
  registerExport(program)
  registerPatches(program)
  registerImportTrace(program)
  registerCheckTrace(program)
  registerExplore(program)
  return program
}

/**
 * A refused archive (ArchiveError, main/store/sessions/archive-format.ts) is recognised by its name, not
 * by instanceof: importing the class would load that module and better-sqlite3 on every start, even
 * for --version (docs/cli.md#startup).
 */
function isArchiveError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'ArchiveError'
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv, { from: 'user' })
    // Commands whose success has more than one outcome (diff: 1 = different) set process.exitCode.
    return typeof process.exitCode === 'number' ? process.exitCode : 0
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2
    if (err instanceof UsageError || isArchiveError(err)) {
      printErr(`daxlab: error: ${err.message}\n`)
      return 2
    }
    if (err instanceof FormatError) {
      for (const line of err.message.split('\n')) printErr(`daxlab: error: ${line}\n`)
      return 1
    }
    // JavaScript's own errors are bugs, not bad input: say so, so they are reported rather than puzzled over.
    const internal = err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || err instanceof SyntaxError
    printErr(`daxlab: ${internal ? 'internal error (a bug; DAXLAB_DEBUG=1 prints the stack)' : 'error'}: ${(err as Error).message ?? String(err)}\n`)
    if (process.env.DAXLAB_DEBUG) printErr(`${(err as Error).stack}\n`)
    return 1
  }
}
