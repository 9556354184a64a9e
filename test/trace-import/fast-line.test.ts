/**
 * The importer's fast path (main/trace-import/fast-line.ts, taken when no onEvent reads the events)
 * stores exactly what the general path (parseLine + decodeEvent, taken for every line once onEvent is
 * given) stores: the same events, task and cause tables, pfn states, line count and skipped lines with
 * their numbers and reasons, on texts of well-formed lines mixed with odd ones, fed in arbitrary chunks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StringDecoder } from 'node:string_decoder'
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { importTraceFile, isPlainBytes } from '../../main/cli/trace-file'
import type { EventColumns } from '../../main/sim/events'
import { EventSlices } from '../../main/trace-import/event-slices'
import { FS_DAX_EVENTS, PAGE_REF_EVENTS } from '../../main/trace-import/events'
import { FastKind, FastLine, isPlainText, scanLine } from '../../main/trace-import/fast-line'
import { TraceImporter } from '../../main/trace-import/importer'
import { fuzzRuns, testTimeout } from '../fuzz/budget'

/** Mostly the well-formed piece, sometimes one of the odd ones: lines are valid but for a field or two. */
function mostly<T>(good: T, odd: readonly T[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 4, arbitrary: fc.constant(good) }, { weight: 1, arbitrary: fc.constantFrom(...odd) })
}
const LEAD = mostly('  ', [' ', '    ', '', '\t', ' \u00a0'])
const COMM = mostly('fio', ['kworker/u8:3', 'a-b', '<...>', '<idle>', 'x-1y', 'fio-2', 'f o'])
const PID = mostly('2210', ['1', '007', '0', '12345678901234567', 'x'])
const AFTER_PID = mostly('  [002] .....  ', [' [000] ', ' [001] d..2. ', ' [003] d.h1  ', '  (  9) [001] ..... ', '    1d..1 ', ' [002] ........ ', ' [002] ab ', ' [0] \t.... ', ' []  '])
const TIME = mostly('812.004101: ', ['1.5: ', '0.123456789: ', '1.1234567890: ', '5us+: ', '812.004101 :  ', '812.004101:\t', '812.004101:', '1000.000000:\u00a0'])
const ODD_NAMES = ['sched_switch', 'kernel_stack', '9bad', '', 'page_ref']
const PAGE_REF_BODY = ['pfn=0x100000', 'flags=referenced|uptodate|lru', 'count=1025', 'mapcount=1', 'mapping=00000000a1b2c3d4', 'mt=4', 'val=1024', 'ret=0']
const FS_DAX_BODY = ['dev', '259:0', 'ino', '0xc', 'shared', 'WRITE|ALLOW_RETRY|KILLABLE|USER', 'address', '0x7f0000000000', 'vm_start', '0x7f0000000000', 'pgoff', '0x0', 'max_pgoff', '0x1ff', 'NOPAGE']
const WORDS = ['pfn=0X1f', 'pfn=', 'pfn=zz', 'pfn=12', 'count=1', 'count=+5', 'count=-0', 'count=', 'count=9007199254740993', 'mapcount=0', 'mapcount=-1x', 'mapping=', '(null)', 'val=-1', 'val=1\u00a0', 'ret=1', 'ret=', '=1', 'pfn', 'dev', '259:', 'ino', '12', 'address', 'radix_entry', 'xa_entry', '0x4800005', 'private', 'NOPAGE', 'FALLBACK|NOPAGE', 'NOPAGE|', 'pglen', 'x\u2028y', 'a\rb', '\u00a0', '\u00a0ret=1', 'count=2\u00a0', 'val=\u00011', 'x\u0001=', '\u007fpfn=0x1', 'count=1\u0001', 'NOPAGE\u0001']
/** A real body with up to three words replaced, inserted or dropped, and odd blanks at its ends. */
const body = fc
  .tuple(fc.constantFrom(PAGE_REF_BODY, FS_DAX_BODY), fc.array(fc.tuple(fc.nat(16), fc.constantFrom('set', 'insert', 'drop'), fc.constantFrom(...WORDS)), { maxLength: 3 }), mostly(' ', ['  ', '\t']), mostly('', [' ', '\u00a0', '\t', '  ']))
  .map(([base, edits, sep, end]) => {
    const words = [...base]
    for (const [at, op, w] of edits) {
      const i = at % (words.length + 1)
      if (op === 'set') words[i] = w
      else if (op === 'insert') words.splice(i, 0, w)
      else words.splice(i, 1)
    }
    return words.join(sep) + end
  })
const NAME = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...PAGE_REF_EVENTS, ...FS_DAX_EVENTS) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_NAMES) })
const eventLine = fc
  .tuple(LEAD, COMM, PID, AFTER_PID, TIME, NAME, mostly(': ', [':', ':  ', '', ':\u00a0']), body)
  .map(([lead, comm, pid, after, time, name, colon, b]) => `${lead}${comm}-${pid}${after}${time}${name}${colon}${b}`)
const stackLine = fc.tuple(LEAD, mostly('=> ', ['=>', '=>  ', '= > ']), mostly('try_grab_folio (ffffffff8b2a1c20)', ['f', '', '  ', 'g\u00a0', 'h\r', 'f '])).map(([l, a, f]) => `${l}${a}${f}`)
/** The generated bench log's lines (test/bench/trace-log.ts): the fast path's home ground. */
const TYPICAL = [
  '  fio-2000  [000] .....  1000.000000: dax_pte_fault: dev 259:0 ino 0xc shared WRITE|ALLOW_RETRY|KILLABLE|USER address 0x7f0000000000 pgoff 0x0 NOPAGE',
  '  fio-2000  [000] ...1.  1000.000001: page_ref_mod: pfn=0x100000 flags=referenced|uptodate|lru count=1 mapcount=1 mapping=00000000a1b2c3d4 mt=4 val=1',
  '  fio-2000  [000] .....  1000.000002: dax_pte_fault_done: dev 259:0 ino 0xc shared WRITE|ALLOW_RETRY|KILLABLE|USER address 0x7f0000000000 pgoff 0x0 NOPAGE',
  '  fio-2000  [000] ...1.  1000.000003: page_ref_mod: pfn=0x100000 flags=referenced|uptodate|lru count=1025 mapcount=1 mapping=00000000a1b2c3d4 mt=4 val=1024',
  ' => try_grab_folio (ffffffff8b2a1c20)',
  '=> follow_page_mask',
  '  fio-2000  [000] ...1.  1000.000004: page_ref_mod_and_test: pfn=0x100000 flags=referenced|uptodate|lru count=1 mapcount=1 mapping=00000000a1b2c3d4 mt=4 val=-1024 ret=0',
  '  fio-2000  [000] .....  1000.000008: dax_writeback_one: dev 259:0 ino 0xc pgoff 0x0 pglen 0x1',
  '  fio-2001  [001] d..2.  1000.001000: dax_pmd_insert_mapping: dev 259:0 ino 0xd shared write address 0x7f0000200000 length 0x200000 pfn 0x100200 DEV|MAP radix_entry 0x1c',
]
const line = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TYPICAL) },
  { weight: 8, arbitrary: eventLine },
  { weight: 2, arbitrary: stackLine },
  { weight: 1, arbitrary: fc.constantFrom('# tracer: nop', 'cpus=4', 'CPU 1 is empty', '', '   ', 'x'.repeat(8200)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
)
const text = fc
  .tuple(fc.array(line, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), fc.integer({ min: 1, max: 400 }))
  .map(([lines, eol, lastEol, chunk]) => ({ text: lines.join(eol) + (lastEol ? eol : ''), chunk }))

interface Stored {
  summary: unknown
  columns: EventColumns[]
  tasks: readonly string[]
  causes: readonly string[]
  pfns: unknown[]
}

/** Imports `text` in chunks; `general` forces the general path (an onEvent that reads nothing). */
function importText(text: string, chunk: number, general: boolean): Stored {
  const columns: EventColumns[] = []
  const sink = new EventSlices(5, (c) => columns.push(c))
  const importer = new TraceImporter({ sink, onEvent: general ? () => undefined : undefined })
  for (let i = 0; i < text.length; i += chunk) importer.feed(text.slice(i, i + chunk))
  const summary = importer.finish()
  sink.flush()
  return { summary, columns, tasks: sink.tasks, causes: sink.causes, pfns: [...importer.pfns.values()] }
}

describe('importer fast path against the general path', () => {
  const runs = fuzzRuns(0.5)
  test.prop([text], { numRuns: runs })('stores the same events, tables, states and skipped lines', ({ text, chunk }) => {
    expect(importText(text, chunk, false)).toEqual(importText(text, chunk, true))
  }, testTimeout(runs))

  test.prop([text], { numRuns: Math.max(1, Math.round(runs / 20)) })('the CLI file reader (which tells the importer which chunks are plain, from the bytes) stores the same', async ({ text }) => {
    const dir = mkdtempSync(join(tmpdir(), 'daxlab-fast-line-'))
    try {
      const file = join(dir, 'trace.txt')
      writeFileSync(file, text)
      const columns: EventColumns[] = []
      const sink = new EventSlices(5, (c) => columns.push(c))
      const importer = new TraceImporter({ sink })
      const summary = await importTraceFile(file, importer, 'test', {})
      sink.flush()
      expect({ summary, columns, tasks: sink.tasks, causes: sink.causes, pfns: [...importer.pfns.values()] }).toEqual(importText(text, text.length + 1, true))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, testTimeout(runs))

  test.prop([fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.nat(8)], { numRuns: runs })('a chunk the bytes call plain decodes to a plain text, wherever the previous chunk was cut', (a, b, cut) => {
    const bytes = Buffer.from(a + b, 'utf8')
    const at = Math.min(bytes.length, Buffer.byteLength(a) + cut - 4 < 0 ? 0 : Buffer.byteLength(a) + cut - 4)
    const first = bytes.subarray(0, at)
    const second = bytes.subarray(at)
    const decoder = new StringDecoder('utf8')
    decoder.write(first)
    const text = decoder.write(second)
    if (isPlainBytes(second, isPlainBytes(first, true) || first.every((x) => x < 0x80))) expect(isPlainText(text)).toBe(true)
    expect(isPlainBytes(Buffer.from(b, 'utf8'), true)).toBe(isPlainText(b))
  })

  it('a plain chunk after a cut lead byte (invalid UTF-8) is not called plain: its text starts with U+FFFD', () => {
    const decoder = new StringDecoder('utf8')
    const first = Buffer.from([0x61, 0xc3])
    const second = Buffer.from('abc')
    decoder.write(first)
    expect(decoder.write(second)).toBe('\ufffdabc')
    expect([isPlainBytes(first, true), isPlainBytes(second, false), isPlainBytes(second, true)]).toEqual([false, false, true])
  })

  it('folds tasks past the 16-bit table into (other tasks) exactly as the general path does', () => {
    // 70,000 distinct tasks, each line followed by one of an early task (the fast path's cached id).
    const lines: string[] = []
    for (let i = 0; i < 70_000; i++) {
      lines.push(`  t${i}-${i + 1}  [000] .....  1.000001: page_ref_mod: pfn=0x${(0x1000 + (i % 64)).toString(16)} count=2 mapcount=0 val=1`)
      if (i % 1000 === 0) lines.push(`  t0-1  [000] .....  1.000002: page_ref_mod: pfn=0x1000 count=1 mapcount=0 val=-1`)
    }
    const text = lines.join('\n')
    const fast = importText(text, 1 << 16, false)
    expect(fast.tasks).toContain('(other tasks)')
    expect(fast).toEqual(importText(text, 1 << 16, true))
  }, 60_000)

  it('takes the lines of the common shape, and declines the others', () => {
    const f = new FastLine()
    const kinds = TYPICAL.map((t) => scanLine(t, 0, t.length, f))
    expect(kinds).toEqual([FastKind.FsDax, FastKind.PageRef, FastKind.FsDax, FastKind.PageRef, FastKind.Stack, FastKind.Stack, FastKind.PageRef, FastKind.FsDax, FastKind.Decline])
    const t = TYPICAL[6]!
    expect(scanLine(t, 0, t.length, f)).toBe(FastKind.PageRef)
    expect([t.slice(f.taskStart, f.taskEnd), f.name, f.pfn, f.count, f.mapcount, f.val, f.ret]).toEqual(['fio-2000', 'page_ref_mod_and_test', 0x100000, 1, 1, -1024, 0])
    for (const odd of ['  fio-2000  [000] ...1.  1000.000001: page_ref_mod:\u00a0pfn=0x1 count=1 mapcount=1', '  fio-007  [000] .....  1.0: page_ref_mod: pfn=0x1 count=1', '  fio-1  (  1) [000] .....  1.0: page_ref_mod: pfn=0x1 count=1', '  fio-1    1d..1    5us+: page_ref_mod: pfn=0x1 count=1', '  fio-1  [000] .....  1.0: page_ref_mod: pfn=0x1 count=1 val=x']) {
      expect([odd, scanLine(odd, 0, odd.length, f)]).toEqual([odd, FastKind.Decline])
    }
  })
})
