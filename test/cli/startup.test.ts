/**
 * Startup stays light: `daxlab --version` and `--help` load commander and the small declaration
 * modules, never SQLite, yaml, zod, the engine or the arch plugins (docs/cli.md#startup). Checked two
 * ways: the command files import no heavy module, and the built CLI, run with a loader hook that
 * records every module it resolves, loads none of them.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { BIN, ensureCli, tempDb } from './cli-helpers'

beforeAll(ensureCli, 120_000)

const COMMANDS = join(process.cwd(), 'main/cli/commands')
/** What a declaration may import: commander (types), its siblings and the small argument parsers. */
const ALLOWED = /^(commander|\.\/[\w-]+|\.\.\/args|\.\.\/usage-error|\.\.\/\.\.\/sim\/events)$/

describe('CLI startup', () => {
  it.each(readdirSync(COMMANDS).filter((f) => f.endsWith('.ts')))('commands/%s imports only declarations', (file) => {
    const text = readFileSync(join(COMMANDS, file), 'utf8')
    const imports = [...text.matchAll(/^(?:import|export)[^'"\n]*from '([^']+)'/gm)].filter((m) => !/^import type /.test(m[0])).map((m) => m[1]!)
    expect(imports.filter((i) => !ALLOWED.test(i))).toEqual([])
  })

  it('--version and --help resolve no heavy module', () => {
    for (const args of [['--version'], ['--help'], ['sweep', '--help'], ['sessions', '--help']]) {
      const resolved = resolvedBy(args)
      expect(resolved).toContain('commander')
      expect(resolved.filter((s) => /better-sqlite3|^yaml$|^zod$|tinypool|trace-store|archive|session-store|arch-|library|inputs/.test(s))).toEqual([])
    }
  })

  it('a sweep of built-ins (its own profile or a built-in --profile) runs without the YAML parser; a scenario file loads it', () => {
    const db = tempDb()
    const sweep = (...args: string[]) => resolvedBy(['sweep', '--kernel', '6.17', '--arch', 'x86', '--jobs', '1', '--db', db, ...args])
    const parser = (resolved: string[]) => resolved.filter((s) => /^yaml$|^zod$|\/inputs-/.test(s))
    expect(parser(sweep('--scenarios', 'devdax-pmd-fault', '--session', 'own'))).toEqual([])
    expect(parser(sweep('--scenarios', 'devdax-pmd-fault', '--profile', 'x86-pmem-1tib', '--session', 'override'))).toEqual([])
    expect(parser(sweep('--scenarios', 'scenarios/devdax-pmd-fault.yaml', '--session', 'file'))).toEqual(expect.arrayContaining(['yaml', 'zod']))
  })
})

/** Every module specifier the built CLI resolves while running `args` (a loader hook records them). */
function resolvedBy(args: readonly string[]): string[] {
  const dir = join(tempDb(), '..')
  const hook = join(dir, 'hook.mjs')
  const log = join(dir, 'resolved.txt')
  writeFileSync(hook, `import { appendFileSync } from 'node:fs'\nexport async function resolve(spec, ctx, next) { appendFileSync(${JSON.stringify(log)}, spec + '\\n'); return next(spec, ctx) }\n`)
  const register = join(dir, 'register.mjs')
  writeFileSync(register, `import { register } from 'node:module'\nregister(${JSON.stringify('file://' + hook)})\n`)
  writeFileSync(log, '')
  const r = spawnSync(process.execPath, ['--import', register, BIN, ...args], { encoding: 'utf8' })
  expect(r.status, r.stderr).toBe(0)
  return readFileSync(log, 'utf8').split('\n').filter(Boolean)
}
