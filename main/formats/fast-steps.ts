/**
 * The fast path for big YAML scenarios: the `steps:` block read line by line when every step is the
 * one-line form the built-ins use (`  - probe: {label: p1, map: m, offset: 0}`).
 *
 * Why: the full YAML parser builds a node per scalar with positions (~80 µs and ~7 KB of heap per step
 * here), so a 100,000-step scenario took seconds to minutes and gigabytes. This reader handles only a
 * strict subset and answers `undefined` for anything outside it (block-style arguments, anchors, tags,
 * multi-line values, quotes with escapes, numbers it does not read exactly like YAML 1.2's core schema):
 * the caller then uses the full parser, so the result is always what `yaml` itself would give.
 * Pure: no Node APIs.
 */

export interface FastSteps {
  /** The document with the step lines blanked (same line numbers), for the full parser. */
  readonly rest: string
  readonly steps: unknown[]
  /** 1-based line of each step. */
  readonly lines: number[]
}

const STEPS_KEY = /^steps:[ \t]*(?:#.*)?$/
// Greedy and anchored (no lazy quantifier): linear in the line length.
const ITEM = /^( *)- ([A-Za-z_][A-Za-z0-9_]*):(.*)$/
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/
/** A plain scalar the subset reads as a string: a safe first character, no flow or comment indicators. */
const PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./ +-]*$/
const DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/
const HEX = /^0x[0-9a-fA-F]{1,12}$/
/** Everything YAML 1.2's core schema reads as null, bool, int or float (yaml's `core` tags). */
const CORE_NON_STRING = /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/

const BAIL = Symbol('outside the fast subset')

function scalar(text: string): unknown {
  if (text === 'true') return true
  if (text === 'false') return false
  if (DECIMAL.test(text)) return Number(text)
  if (HEX.test(text)) return Number.parseInt(text.slice(2), 16)
  const quote = text[0]
  if (quote === '"' || quote === "'") {
    const body = text.slice(1, -1)
    if (text.length < 2 || text[text.length - 1] !== quote || /["'\\]/.test(body)) return BAIL
    return body
  }
  if (!PLAIN.test(text) || CORE_NON_STRING.test(text) || text.includes(' -') || text.includes('  ')) return BAIL
  return text
}

/**
 * A key named `__proto__` must stay a plain own key, as JSON.parse and yaml keep it; defineProperty
 * only for that one (it turns objects into slow dictionaries, so not for every key).
 */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  else out[key] = value
}

/** `{k: v, k: v}` -> object, or BAIL. Values never contain `,` `{` `}` `[` `]` `:` `#`. */
function flowMap(text: string): unknown {
  if (!text.startsWith('{') || !text.endsWith('}')) return BAIL
  const body = text.slice(1, -1)
  if (/[{}[\]#&*!|>%@`]/.test(body)) return BAIL
  const out: Record<string, unknown> = {}
  if (body.trim() === '') return out
  for (const piece of body.split(',')) {
    const colon = piece.indexOf(':')
    if (colon < 0) return BAIL
    const key = piece.slice(0, colon).trim()
    const after = piece.slice(colon + 1)
    // `key: value` or `key:`; `key:value` is one plain scalar in YAML, outside the subset.
    if (!KEY.test(key) || (after !== '' && after[0] !== ' ')) return BAIL
    if (Object.hasOwn(out, key)) return BAIL // the full parser reports the duplicate with its line
    const text = after.trim()
    const value = text === '' ? null : scalar(text)
    if (value === BAIL) return BAIL
    setOwn(out, key, value)
  }
  return out
}

/** What follows `- op:` on the line: nothing (null) or ` {...}`, optionally with a trailing comment. */
function stepValue(rest: string): unknown {
  let text = rest
  const hash = text.indexOf(' #')
  if (hash >= 0) text = text.slice(0, hash)
  text = text.trim()
  if (text === '') return null
  if (rest[0] !== ' ') return BAIL
  return flowMap(text)
}

export function readFastSteps(text: string): FastSteps | undefined {
  if (text.includes('\t') || text.includes('\r')) return undefined
  const lines = text.split('\n')
  let key = -1
  for (let i = 0; i < lines.length; i++) {
    if (!STEPS_KEY.test(lines[i]!)) continue
    if (key !== -1) return undefined
    key = i
  }
  if (key === -1) return undefined
  const steps: unknown[] = []
  const stepLines: number[] = []
  let indent: number | undefined
  let end = key + 1
  for (; end < lines.length; end++) {
    const line = lines[end]!
    if (line.trim() === '' || /^ *#/.test(line)) continue
    const m = ITEM.exec(line)
    if (!m) {
      if (line[0] !== ' ') break // next top-level key: the block ended
      return undefined
    }
    if (indent === undefined) indent = m[1]!.length
    else if (m[1]!.length !== indent) return undefined
    const value = stepValue(m[3]!)
    if (value === BAIL) return undefined
    const step: Record<string, unknown> = {}
    setOwn(step, m[2]!, value)
    steps.push(step)
    stepLines.push(end + 1)
  }
  if (steps.length === 0) return undefined
  // Trailing blank/comment lines stay in the block; the rest keeps every other line where it was.
  const rest = end === lines.length ? lines.slice(0, key + 1).join('\n') : [...lines.slice(0, key + 1), ...new Array<string>(end - key - 1).fill(''), ...lines.slice(end)].join('\n')
  return { rest, steps, lines: stepLines }
}
