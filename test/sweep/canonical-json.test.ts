// canonicalJson is written out by hand for speed (ADR 0025); its text must stay exactly what the
// sorting replacer gave, because stored digests and profile hashes were made with it.
import { describe, expect, it } from 'vitest'
import { builtinProfile, builtinProfileNames, builtinScenario, builtinScenarioNames, resolveProfile } from '../../main/library/index'
import { runScenario } from '../../main/sim/run'
import { canonicalJson } from '../../main/store/result-codec'

/** The definition stored digests were made with. */
function byReplacer(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v
    const sorted: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k]
    return sorted
  })
}

describe('canonicalJson', () => {
  it('gives the sorting replacer\'s text for every built-in profile and a run result of every built-in scenario', () => {
    for (const name of builtinProfileNames()) {
      const profile = builtinProfile(name)!
      expect(canonicalJson(profile)).toBe(byReplacer(profile))
    }
    for (const name of builtinScenarioNames()) {
      const scenario = builtinScenario(name)!
      const profile = resolveProfile(scenario, `${name}.yaml`)
      const { result } = runScenario(scenario, profile, { kernel: '6.17', arch: profile.arch })
      expect(canonicalJson(result)).toBe(byReplacer(result))
    }
  })

  it.each([
    ['key order', { b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } }],
    ['array-index keys first, numerically, then the rest sorted', { b: 1, 10: 'ten', 9: 'nine', a: 2, '01': 'not an index', 4294967294: 'last index', 4294967295: 'not an index' }],
    ['__proto__ as an own key (from JSON.parse)', JSON.parse('{"b":1,"__proto__":{"x":1},"a":2}')],
    ['values JSON cannot hold', { a: undefined, b: () => 1, c: Symbol('s'), d: [undefined, () => 1, NaN, Infinity, -0], e: -Infinity }],
    ['toJSON (a Date) and wrapper objects', { when: new Date(0), n: new Number(3), s: new String('ab'), custom: { toJSON: (k: string) => ({ key: k, z: 1, a: 2 }) } }],
    ['strings that need escaping', { 'q"uote': 'line\nbreak\ttab\u0000\u2028 lone \ud800 surrogate', emoji: '\u{1F600}' }],
    ['typed arrays, holes, nesting', { t: new Uint8Array([1, 2]), holes: Object.assign(new Array(3), { 0: 1, 2: 3 }), deep: [[[{ b: [], a: {} }]]] }],
    ['top-level primitives', 'text'],
    ['top-level array', [{ b: 1, a: 2 }, null, true, 1.5e-7, 2 ** 60]],
  ])('matches the replacer on %s', (_what, value) => {
    expect(canonicalJson(value)).toBe(byReplacer(value))
  })

  it('gives no text for undefined and a function, and throws on a BigInt, as JSON.stringify does', () => {
    expect(canonicalJson(undefined)).toBe(byReplacer(undefined))
    expect(canonicalJson(() => 1)).toBe(byReplacer(() => 1))
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError)
  })
})
