/**
 * The line-oriented fast path for big YAML scenarios must read exactly what the full YAML parser reads,
 * or step aside (undefined). Step lines are built from tokens chosen to sit on the subset's edges:
 * YAML 1.2 core-schema words and numbers, quotes, comments, indicators, odd spacing.
 */
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { readFastSteps } from '../../main/formats/fast-steps'
import { parseFastYaml } from '../../main/formats/load'
import { fuzzRuns, testTimeout } from './budget'

const GOOD_KEYS = ['map', 'id', 'offset', 'pin', 'label', 'file', 'task', '__proto__', 'toString']
const BAD_KEYS = ['a-b', 'k:', '"q"', '']
const VALUES = [
  'm', '0', '7', '010', '0x1f', '0o17', '1e3', '.5', '-1', '+2', '1.', '64KiB', '2 MiB', 'true', 'True', 'FALSE', 'false', 'null', 'Null', '~',
  '.inf', '.NaN', 'a b', 'a  b', 'a -b', '/mnt/pmem0/f', '"q"', "'q'", '"a,b"', '"a\\"b"', "'it''s'", '', 'a#b', 'a #b', '&x', '*x', '!t', '[1]', '{}', '@x',
  '12345678901234567', '0x1234567890abcdef', 'x.y', '_', '-', 'a:b', 'a: b', '%', '`',
]
const OPS = ['probe', 'access', 'exit', 'toString', '__proto__', 'constructor', 'x1']

const key = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...GOOD_KEYS) }, { weight: 1, arbitrary: fc.constantFrom(...BAD_KEYS) })
const space = fc.oneof({ weight: 9, arbitrary: fc.constant(' ') }, { weight: 1, arbitrary: fc.constantFrom('', '  ') })
const pair = fc.tuple(key, space, fc.constantFrom(...VALUES)).map(([k, sp, v]) => `${k}:${sp}${v}`)
const value = fc.oneof(
  { weight: 6, arbitrary: fc.array(pair, { maxLength: 3 }).map((pairs) => `{${pairs.join(', ')}}`) },
  { weight: 1, arbitrary: fc.array(pair, { maxLength: 3 }).map((pairs) => `{${pairs.join(',')}}`) },
  { weight: 1, arbitrary: fc.constantFrom('', '{}', '{ }', '[]', 'x', '{a: 1', '{a: 1}}') },
)
const comment = fc.constantFrom('', '', ' # note', '  #x', '#x', ' # {a: 1}')
const line = fc.tuple(fc.constantFrom(...OPS), space, value, comment).map(([op, sp, v, c]) => `- ${op}:${sp}${v}${c}`)
const filler = fc.constantFrom('', '  # a comment', '# top comment', '   ')
const indent = fc.oneof({ weight: 9, arbitrary: fc.constantFrom('  ', '', '    ') }, { weight: 1, arbitrary: fc.constant('mixed') })
const stepBlock = fc
  .tuple(indent, fc.array(fc.oneof({ weight: 6, arbitrary: line }, { weight: 1, arbitrary: filler }), { minLength: 1, maxLength: 6 }))
  .map(([pad, lines]) => lines.map((l, i) => (l.startsWith('- ') ? (pad === 'mixed' ? ' '.repeat(i % 3) : pad) + l : l)))
const tail = fc.constantFrom('', 'tags: [a]\n', 'kernel: "6.14"\n', 'steps: []\n', '  more: 1\n')

describe('fast steps reader', () => {
  const runs = fuzzRuns()
  let read = 0
  test.prop([stepBlock, tail], { numRuns: runs })('reads what yaml reads, or steps aside', (block, after) => {
    const text = `name: n\nsteps:\n${block.join('\n')}\n${after}`
    const fast = parseFastYaml(text)
    if (!fast) return
    read++
    const full = parse(text, { uniqueKeys: true }) as { steps: object[] }
    expect(fast.raw).toEqual(full)
    // Own keys exactly (toEqual ignores a prototype swap): `__proto__` stays data.
    const steps = (fast.raw as { steps: object[] }).steps
    steps.forEach((s, i) => expect(Object.getPrototypeOf(s)).toBe(Object.getPrototypeOf(full.steps[i])))
    steps.forEach((_, i) => expect(text.split('\n')[fast.lineFor(['steps', i])! - 1]).toMatch(/^ *- /))
  }, testTimeout(runs))

  it('read a fair share of the generated documents (the property above is not vacuous)', () => {
    expect(read).toBeGreaterThan(runs * 0.02)
  })

  test.prop([fc.array(fc.record({ map: fc.constantFrom('m', 'n2'), offset: fc.nat(2 ** 40), label: fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/) }), { minLength: 1, maxLength: 20 })], { numRuns: fuzzRuns(0.2) })(
    'never steps aside on the one-line form the built-ins use',
    (steps) => {
      const text = `name: n\nsteps:\n${steps.map((s) => `  - probe: {label: ${s.label}, map: ${s.map}, offset: ${s.offset}}`).join('\n')}\n`
      const fast = readFastSteps(text)
      expect(fast?.steps).toEqual(parse(text).steps)
    },
  )
})
