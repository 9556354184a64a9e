/**
 * The hand-written fast paths of the parser (line.ts parseLine, events.ts integer/keyValues/fs_dax
 * words) give exactly what the first increment's regex parser gave (oracle/regex-parser.ts), on lines
 * built from real pieces with arbitrary characters mixed in, whitespace of every kind included.
 */
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { decodeEvent, FS_DAX_EVENTS, integer, PAGE_REF_EVENTS } from '../../main/trace-import/events'
import { parseLine } from '../../main/trace-import/line'
import { fuzzRuns, testTimeout } from '../fuzz/budget'
import { decodeEventOracle, parseLineOracle } from './oracle/regex-parser'

const BLANKS = [' ', '  ', '\t', '\u00a0', '\u2028', '\r', '\v', '']
const HEADS = ['  fio-2210    [002] .....   812.010000: ', '  <...>-1 [000] 1.5: ', '  a-b-3  1d..1    5us+: ', '  x-9 (  9) [001] d.h1. 0.123456789: ', '=> ', ' => f (0)', '# ', 'cpus=4', 'CPU 1 is empty', '  k-1 [000] 1.0: kernel_stack: ', '  k-1 [000] 1.0: <stack trace>', '']
const NAMES = [...PAGE_REF_EVENTS, ...FS_DAX_EVENTS, 'sched_switch', '9bad', 'page_ref', '']
const WORDS = ['pfn=0x1', 'pfn=0X1f', 'pfn=', 'pfn=zz', 'pfn=12', 'count=1', 'count=+5', 'count=-5', 'count=007', 'count=0x10', 'count=', 'count=9007199254740993', 'mapcount=0', 'mapcount=-1x', 'val=1024', 'val=-1024', 'ret=1', 'ret=', 'flags=a|b', 'flags=', 'mapping=', '(null)', 'mt=4', 'dev', '259:0', 'ino', '0x11', 'address', '0x7f0000200000', 'vm_start', 'vm_end', 'pgoff', '0x1-0x2', 'max_pgoff', 'pfn', '0x99999999999999999', 'radix_entry', 'xa_entry', '0x4800005', 'shared', 'private', 'mapping', 'write', 'WRITE|USER', 'DEV|MAP', 'NOPAGE', 'FALLBACK|NOPAGE', '=', ':', '-']
const body = fc.array(fc.tuple(fc.constantFrom(...WORDS), fc.constantFrom(...BLANKS)), { maxLength: 14 }).map((ws) => ws.map(([w, b]) => w + (b === '' ? ' ' : b)).join(''))
const line = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...BLANKS), fc.constantFrom(...HEADS), fc.constantFrom(...NAMES), fc.constantFrom(':', ': ', ':  ', ''), body).map(([b, h, n, c, f]) => `${b}${h}${n}${c}${f}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 1, arbitrary: fc.constantFrom(...BLANKS).chain((b) => fc.constant(b.repeat(3))) },
)

describe('parser fast paths against the regex oracle', () => {
  const runs = fuzzRuns()
  test.prop([line], { numRuns: runs })('parseLine and decodeEvent agree with the regex parser', (text) => {
    const got = parseLine(text)
    expect(got).toEqual(parseLineOracle(text))
    if (got.kind === 'event') expect(decodeEvent(got.event, got.body)).toEqual(decodeEventOracle(got.event, got.body))
  }, testTimeout(runs))

  test.prop([fc.constantFrom(...PAGE_REF_EVENTS, ...FS_DAX_EVENTS), body], { numRuns: runs })('decodeEvent agrees on any body', (name, text) => {
    expect(decodeEvent(name, text)).toEqual(decodeEventOracle(name, text))
  }, testTimeout(runs))

  it('integer() on the edge cases of %d and %#lx', () => {
    const cases: [string, boolean, number | undefined][] = [['12', false, 12], ['12', true, 0x12], ['+5', false, 5], ['+5', true, undefined], ['-0x5', false, undefined], [' 0X1f ', false, 31], ['9007199254740991', false, 9007199254740991], ['9007199254740992', false, undefined], ['', false, undefined], ['-', false, undefined], ['1e3', false, undefined]]
    for (const [text, hex, want] of cases) expect([text, hex, integer(text, hex)]).toEqual([text, hex, want])
  })
})
