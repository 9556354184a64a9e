/**
 * The trace parser never throws, whatever the text: lines built from real line pieces (columns, event
 * names, key=value fields, stack arrows) cut, repeated and mixed with arbitrary characters, fed in
 * arbitrary chunks. Every line is either imported, ignored or reported with its number.
 */
import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { FS_DAX_EVENTS, PAGE_REF_EVENTS } from '../../main/trace-import/events'
import { TraceImporter } from '../../main/trace-import/importer'
import { fuzzRuns, testTimeout } from '../fuzz/budget'

const HEADS = ['  fio-2210    [002] .....   812.010000: ', '  <...>-1 [000] 1.5: ', '  a-b-3  1d..1    5us+: ', '  x-9 (  9) [001] d.h1. 0.000001: ', '=> ', ' => f (0)', '# ', '']
const NAMES = [...PAGE_REF_EVENTS, ...FS_DAX_EVENTS, 'sched_switch', 'page_ref', '']
const FIELDS = ['pfn=0x1', 'pfn=', 'pfn=zz', 'count=1', 'count=-5', 'count=', 'mapcount=0', 'val=1024', 'val=-1024', 'ret=1', 'flags=a|b', 'dev', '259:0', 'ino', '0x11', 'address', 'pfn', '0x99999999999999999', 'radix_entry', 'NOPAGE', 'FALLBACK|NOPAGE', '=', ':', '-']
const piece = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...HEADS), fc.constantFrom(...NAMES), fc.array(fc.constantFrom(...FIELDS), { maxLength: 8 })).map(([h, n, f]) => `${h}${n}: ${f.join(' ')}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
)
const text = fc.array(piece, { maxLength: 20 }).chain((lines) =>
  fc.tuple(fc.constant(lines.join('\n')), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 60 })).map(([t, chunk, cut]) => ({ text: t.slice(0, Math.max(0, t.length - cut)), chunk })),
)

describe('trace parser fuzz', () => {
  const runs = fuzzRuns()
  test.prop([text], { numRuns: runs })('never throws; lines, events and skips add up', ({ text, chunk }) => {
    const imp = new TraceImporter()
    for (let i = 0; i < text.length; i += chunk) imp.feed(text.slice(i, i + chunk))
    const s = imp.finish()
    const lines = text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0)
    expect(s.lines).toBe(lines)
    expect(s.events + s.skipped.length).toBeLessThanOrEqual(s.lines)
    for (const k of s.skipped) expect(k.line).toBeGreaterThanOrEqual(1)
    expect(imp.trace.events.count).toBeGreaterThanOrEqual(0)
  }, testTimeout(runs))
})
