/**
 * CLI arguments: any command line built from the program's own commands and options (read from
 * commander, so new options are fuzzed too) and a pool of hostile values exits 0, 1 or 2 with one
 * `daxlab: error:` line per problem, never an internal error, an unhandled rejection or a hang. Runs
 * in-process against main() with stdout/stderr captured; the database is a temp file.
 */
import { fc, test } from '@fast-check/vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import type { Command } from 'commander'
import { flagList } from '../../main/cli/actions/arch'
import { kernelArg, KernelArgError, kernelList, port, positiveInt, runId } from '../../main/cli/args'
import { buildProgram, main } from '../../main/cli/program'
import { UsageError } from '../../main/cli/usage-error'
import { CASE_TIMEOUT_MS, fuzzRuns, testTimeout } from './budget'

const dir = mkdtempSync(join(tmpdir(), 'daxlab-fuzz-cli-'))
const db = join(dir, 'lab.sqlite')
let savedDb: string | undefined
const savedCwd = process.cwd()

beforeAll(() => {
  savedDb = process.env.DAXLAB_DB
  process.env.DAXLAB_DB = db
  // Generated lines name files relatively (`--db --json`, `-o abc`): let them land in the temp folder,
  // never in the checkout.
  process.chdir(dir)
})
afterAll(() => {
  process.chdir(savedCwd)
  if (savedDb === undefined) delete process.env.DAXLAB_DB
  else process.env.DAXLAB_DB = savedDb
})

/** Every leaf command path with its option flags, from the program itself. `serve` blocks by design. */
function leaves(cmd: Command, prefix: string[] = []): { path: string[]; options: string[] }[] {
  if (cmd.commands.length === 0) return [{ path: prefix, options: cmd.options.map((o) => o.long ?? o.short ?? '').filter(Boolean) }]
  return cmd.commands.filter((c) => c.name() !== 'serve').flatMap((c) => leaves(c, [...prefix, c.name()]))
}
const COMMANDS = leaves(buildProgram())

const VALUES = [
  'abc', '1e0', '0', '1', '2', '-1', '1.5', '0x10', '6.14', '6.10', '8.0', '4.19', 'legacy', 'refcounted', 'toString', '__proto__', 'constructor',
  'x86', 'riscv', 'sparc', 'pte', 'pmd', 'pud', 'bogus', '0x300000', '0x8200000300000225', '0xffffffffffffffffff', 'PRESENT,RW', 'PLV=', 'PLV=abc', 'PLV=3', '=1',
  'fsdax-pin-unpin', 'fsdax-read-fault', 'devdax-pmd-fault', 'nope', '/tmp', '/nonexistent/x.yaml', '', ' ', '\u001b[2J', '\u202e', '6.16..6.17', '6.14..9.0',
  'legacy,refcounted', '6.14,', ',', 'refcount,wait', 'nokind', '4-level', '16K', 'x86-pmem-fsdax', 'x86-devdax',
]

const argv = fc.constantFrom(...COMMANDS).chain(({ path, options }) =>
  fc
    .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...options, '--bogus', '--no-store') }, { weight: 4, arbitrary: fc.constantFrom(...VALUES) }), { maxLength: 6 })
    .map((rest) => {
      // `run` stores by default; keep most runs out of the database so the case count fits CI's budget.
      const args = [...path, ...rest]
      if (path[0] === 'run' && !rest.includes('--no-store') && rest.length % 3 !== 0) args.push('--no-store')
      return args
    }),
)

async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const write = { out: process.stdout.write, err: process.stderr.write }
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(String(chunk)), true)) as typeof process.stdout.write
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write
  try {
    const code = await main(args)
    return { code, out: out.join(''), err: err.join('') }
  } finally {
    process.stdout.write = write.out
    process.stderr.write = write.err
  }
}

/** Any text, weighted towards the shapes the parsers must refuse or accept exactly. */
const text = fc.oneof(
  fc.constantFrom(...VALUES),
  fc.string({ maxLength: 12 }),
  fc.stringMatching(/^[0-9eE.x+-]{1,8}$/),
  fc.stringMatching(/^[A-Z]{1,5}(=[0-9a-z]{0,4})?(,[A-Z]{1,5}(=[0-9a-z]{0,4})?){0,3}$/),
  fc.nat().map(String),
)

const PARSERS: [string, (t: string) => unknown][] = [
  ['--limit', positiveInt('--limit')],
  ['run id', runId],
  ['--port', port],
  ['--kernel', kernelArg],
  ['--kernel list', kernelList],
  ['--flags', flagList],
]

describe('CLI argument parsers', () => {
  const runs = fuzzRuns()
  test.prop([fc.constantFrom(...PARSERS), text], { numRuns: runs })('accept exactly or refuse with one line naming the value', ([name, parse], value) => {
    try {
      const parsed = parse(value)
      // Digits only, read as decimal: '01' is 1, never '1e0' or '0x1'.
      if (name === 'run id' || name === '--limit') {
        expect(value.trim()).toMatch(/^\d+$/)
        expect(parsed).toBe(Number(value.trim()))
      }
    } catch (err) {
      expect(err instanceof UsageError || err instanceof KernelArgError, `${name} threw ${String(err)}`).toBe(true)
      const message = (err as Error).message
      expect(message).not.toContain('\n')
      expect(message.length).toBeGreaterThan(0)
    }
  }, testTimeout(runs))
})

describe('CLI command lines', () => {
  // Whole command lines run scenarios and open SQLite (tens of ms each): 1% of the parser budget in CI,
  // `npm run fuzz` for more.
  const runs = fuzzRuns(0.01)
  test.prop([argv], { numRuns: runs })('exit 0/1/2 with a clear line, never an internal error', async (args) => {
    const start = performance.now()
    const r = await capture(args)
    expect([0, 1, 2]).toContain(r.code)
    expect(r.err).not.toContain('internal error')
    expect(r.err).not.toMatch(/is not a function|Cannot read properties|Maximum call stack/)
    // Nothing raw reaches the terminal: escapes are visible text.
    expect(r.out + r.err).not.toContain('\u001b')
    expect(r.out + r.err).not.toContain('\u202e')
    if (r.code !== 0) expect(r.err).toMatch(/^(daxlab: )?error: /m)
    expect(performance.now() - start).toBeLessThan(CASE_TIMEOUT_MS * 5)
  }, testTimeout(runs, 20))
})
