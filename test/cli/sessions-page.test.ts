/** `sessions list` and `sessions show` summarise past a page like `runs show` (--limit, --all). */
import { beforeAll, describe, expect, it } from 'vitest'
import { daxlab, ensureCli, tempDb } from './cli-helpers'

beforeAll(ensureCli, 120_000)

describe('sessions list/show paging', () => {
  it('--limit cuts with a last line, --all shows every row, --json everything', () => {
    const db = tempDb()
    for (const name of ['a', 'b', 'c']) expect(daxlab(['run', 'fsdax-pin-unpin', '--kernel', '6.14', '--session', name, '--db', db]).code).toBe(0)
    const cut = daxlab(['sessions', 'list', '--limit', '2', '--db', db])
    expect(cut.code, cut.stderr).toBe(0)
    expect(cut.stdout.trim().split('\n').at(-1)).toBe('... 1 more sessions (--limit N or --all to show them)')
    expect(cut.stdout).not.toMatch(/^c\s/m)
    const all = daxlab(['sessions', 'list', '--all', '--db', db])
    expect(all.stdout).toMatch(/^c\s/m)
    expect(all.stdout).not.toContain('more sessions')
    expect(JSON.parse(daxlab(['sessions', 'list', '--json', '--limit', '1', '--db', db]).stdout)).toHaveLength(3)

    const sweep = daxlab(['sweep', '--scenarios', 'fsdax-pin-unpin', '--kernel', '6.14,6.15,6.17', '--arch', 'x86', '--session', 'm', '--jobs', '1', '--db', db])
    expect(sweep.code, sweep.stderr).toBe(0)
    const show = daxlab(['sessions', 'show', 'm', '--limit', '1', '--db', db])
    expect(show.stdout.trim().split('\n').at(-1)).toBe('... 2 more combinations (--limit N or --all to show them)')
    expect(daxlab(['sessions', 'show', 'm', '--all', '--db', db]).stdout).not.toContain('more combinations')
    expect(daxlab(['sessions', 'list', '--limit', 'x', '--db', db]).stderr.trim()).toBe("daxlab: error: --limit 'x' is not a whole number (write digits only, e.g. 20)")
  })

  it('session notes and names print escaped in text, exact in JSON', () => {
    const db = tempDb()
    expect(daxlab(['run', 'fsdax-pin-unpin', '--kernel', '6.14', '--session', 'n', '--db', db]).code).toBe(0)
    expect(daxlab(['sessions', 'note', 'n', 'red \x1b[31malert\u202e', '--db', db]).code).toBe(0)
    const note = daxlab(['sessions', 'note', 'n', '--db', db])
    expect(note.stdout).toBe('red \\u{1b}[31malert\\u{202e}\n')
    const shown = daxlab(['sessions', 'show', 'n', '--db', db]).stdout
    expect(shown.includes('\x1b') || shown.includes('\u202e')).toBe(false)
    expect(JSON.parse(daxlab(['sessions', 'show', 'n', '--json', '--db', db]).stdout).note).toBe('red \x1b[31malert\u202e')
  })
})
