/** The ftrace text parser: line shapes of tracefs and trace-cmd, the tracepoint bodies, the fixture corpus. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeEvent } from '../../main/trace-import/events'
import { TraceImporter } from '../../main/trace-import/importer'
import { parseLine } from '../../main/trace-import/line'

const FIXTURES = join(__dirname, 'fixtures')
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8')

function importText(text: string, chunk = text.length || 1, options: ConstructorParameters<typeof TraceImporter>[0] = {}): TraceImporter & { summary: ReturnType<TraceImporter['finish']> } {
  const importer = new TraceImporter(options)
  for (let i = 0; i < text.length; i += chunk) importer.feed(text.slice(i, i + chunk))
  return Object.assign(importer, { summary: importer.finish() })
}

describe('parseLine', () => {
  it.each([
    ['tracefs, 5-column irq flags', '          <idle>-0       [003] d..2.  1234.567890: page_ref_mod: pfn=0x1', { task: '<idle>', pid: 0, cpu: 3, timeUs: 1234567890 }],
    ['tracefs, 4-column irq flags (pre-5.14)', '            bash-812   [001] ....  1234.000001: page_ref_set: pfn=0x1', { task: 'bash', pid: 812, cpu: 1, timeUs: 1234000001 }],
    ['tgid column', '            bash-812   (    812) [001] d.h1. 12.5: page_ref_set: pfn=0x1', { task: 'bash', pid: 812, cpu: 1, timeUs: 12500000 }],
    ['trace-cmd report, no irq column', '  kworker/u8:3-151   [000]   950.100001: dax_pte_fault:   dev 1:2', { task: 'kworker/u8:3', pid: 151, cpu: 0, timeUs: 950100001 }],
    ['<...> comm', '     <...>-3002  [003]   950.3: page_ref_mod: pfn=0x1', { task: '<...>', pid: 3002, cpu: 3 }],
    ['comm with a dash and a space', '  my-app worker-77 [002] ..... 1.000000: page_ref_mod: pfn=0x1', { task: 'my-app worker', pid: 77, cpu: 2, timeUs: 1000000 }],
    ['latency format', '  dpdk-t-77      1d..1    5us+: page_ref_mod: pfn=0x1', { task: 'dpdk-t', pid: 77, cpu: 1, timeUs: 5 }],
    ['latency format, fractional us', '  bash-9      0.N..  12.5us : page_ref_mod: pfn=0x1', { task: 'bash', pid: 9, cpu: 0, timeUs: 12.5 }],
    ['nanosecond timestamps', '  bash-9 [000] ..... 5.123456789: page_ref_mod: pfn=0x1', { timeUs: 5123456.789 }],
  ])('%s', (_name, text, expected) => {
    const r = parseLine(text)
    expect(r.kind).toBe('event')
    expect(r).toMatchObject(expected)
  })

  it('stack frames in both forms, comments and preamble', () => {
    expect(parseLine(' => try_grab_folio (ffffffff8b2a1c20)')).toEqual({ kind: 'stack', frame: 'try_grab_folio (ffffffff8b2a1c20)' })
    expect(parseLine('=> __get_user_pages')).toEqual({ kind: 'stack', frame: '__get_user_pages' })
    for (const t of ['# tracer: nop', '', 'cpus=4', 'version = 6', 'CPU 1 is empty', '  bash-1 [000] ..... 1.0: <stack trace>']) expect(parseLine(t).kind).toBe('ignored')
  })

  it('reports lines without the columns or the event name', () => {
    expect(parseLine('nced count=3 mapcount=1')).toMatchObject({ kind: 'bad', reason: expect.stringContaining('not a trace event line') })
    expect(parseLine('  fio-1 [002] .....   812.01000')).toMatchObject({ kind: 'bad' })
    expect(parseLine('x'.repeat(9000))).toMatchObject({ kind: 'bad', reason: expect.stringContaining('longer than') })
  })
})

describe('decodeEvent', () => {
  it('page_ref: named or hex flags, fields of both classes, missing mt/ret tolerated', () => {
    expect(decodeEvent('page_ref_mod_and_test', 'pfn=0x240000 flags=referenced|uptodate|head count=1 mapcount=1 mapping=00000000a1b2c3d4 mt=4 val=-1 ret=0')).toEqual({
      ok: true,
      event: { family: 'page_ref', name: 'page_ref_mod_and_test', pfn: 0x240000, flags: 'referenced|uptodate|head', count: 1, mapcount: 1, val: -1, ret: 0 },
    })
    const hex = decodeEvent('page_ref_mod', 'pfn=0x120001 flags=0x2fffff80000204 count=1025 mapcount=1 mapping=ffff9a3c01d2e8a8 mt=4 val=1024')
    expect(hex).toMatchObject({ ok: true, event: { flags: '0x2fffff80000204', count: 1025, val: 1024, ret: undefined } })
    expect(decodeEvent('page_ref_set', 'pfn=0x8100 flags= count=1 mapcount=0 mapping=          (null) val=1')).toMatchObject({ ok: true, event: { flags: '', count: 1, val: 1 } })
    expect(decodeEvent('page_ref_mod', 'pfn=0x1 flags=x count=')).toMatchObject({ ok: false, reason: expect.stringContaining('count') })
  })

  it('fs_dax: fault results, pfn_t flags, DAX entries, writeback ranges', () => {
    const done = decodeEvent('dax_pmd_fault_done', 'dev 259:0 ino 0xc shared WRITE|ALLOW_RETRY address 0x7f3a40000000 vm_start 0x7f3a40000000 vm_end 0x7f3a40400000 pgoff 0x0 max_pgoff 0x3ff FALLBACK')
    expect(done).toMatchObject({ ok: true, event: { dev: '259:0', ino: 0xc, address: 0x7f3a40000000, vmEnd: 0x7f3a40400000, maxPgoff: 0x3ff, result: ['FALLBACK'], shared: true, write: true } })
    expect(decodeEvent('dax_pte_fault', 'dev 259:0 ino 0xc private ALLOW_RETRY|USER address 0x1000 pgoff 0x1 NOPAGE')).toMatchObject({ ok: true, event: { shared: false, write: false } })
    const ins = decodeEvent('dax_pmd_insert_mapping', 'dev 259:0 ino 0xc shared write address 0x7f3a40000000 length 0x200000 pfn 0x240000 DEV|MAP radix_entry 0x4800005')
    expect(ins).toMatchObject({ ok: true, event: { pfn: 0x240000, pfnFlags: 'DEV|MAP' } })
    // fs/dax.c dax_to_pfn(): xa_to_value(entry) >> DAX_SHIFT
    expect(decodeEvent('dax_insert_mapping', 'dev 259:1 ino 0x11 shared write address 0x7fee00001000 radix_entry 0x2400021')).toMatchObject({ ok: true, event: { pfn: 0x120001 } })
    expect(decodeEvent('dax_writeback_range', 'dev 259:1 ino 0x11 pgoff 0x10-0x1ff')).toMatchObject({ ok: true, event: { pgoff: 0x10, result: undefined } })
    expect(decodeEvent('dax_pte_fault_done', 'dev 259:1 ino 0x11 shared WRITE address 0x1000 pgoff 0x1')).toMatchObject({ ok: false, reason: expect.stringContaining('VM_FAULT') })
    expect(decodeEvent('dax_pte_fault', 'ino 0x11')).toMatchObject({ ok: false })
    // 4.11 printed no dev/ino in the insert event
    expect(decodeEvent('dax_pmd_insert_mapping', 'shared mapping write address 0x200000 length 0x200000 pfn 0x8000 DEV|MAP radix_entry 0x1')).toMatchObject({ ok: true, event: { dev: undefined, pfn: 0x8000, shared: true, write: true } })
  })
})

describe('TraceImporter on the fixture corpus (synthetic, from the TP_printk formats)', () => {
  it('tracefs trace of a 6.14 FS DAX page: counts, mapcount, stacks attached, FS DAX by --fsdax-pfns', () => {
    const text = fixture('tracefs-6.14-fsdax-legacy.txt')
    expect(importText(text).pfns.get(0x240000)!.fsdax).toBe(false)
    const imp = importText(text, text.length, { fsdaxPfns: [{ first: 0x240000, last: 0x2403ff }] })
    expect(imp.summary).toMatchObject({ lines: 24, events: 5, skipped: [] })
    const s = imp.pfns.get(0x240000)!
    expect(s).toMatchObject({ refcount: 0, mapcount: 0, fsdax: true, pins: 0 })
    const cols = imp.trace.events.columns()
    const refs = [...Array(cols.count).keys()].filter((i) => cols.kind[i] === 0).map((i) => [cols.step[i], cols.before[i], cols.after[i]])
    expect(refs).toEqual([[19, 1, 2], [23, 2, 1], [24, 1, 0]])
    const stacks: (readonly string[])[] = []
    const withStacks = new TraceImporter({ onEvent: (e) => stacks.push(e.stack) })
    withStacks.feed(fixture('tracefs-6.14-fsdax-legacy.txt'))
    withStacks.finish()
    expect(stacks[2]).toEqual(['try_grab_folio (ffffffff8b2a1c20)', 'follow_page_mask (ffffffff8b2a3f10)', '__get_user_pages (ffffffff8b2a4400)'])
    expect(stacks[3]).toEqual([])
  })

  it('trace-cmd report of a 6.17 page: hex flags, <...> comm, pin and unpin', () => {
    const imp = importText(fixture('trace-cmd-6.17-fsdax-consistent.txt'))
    expect(imp.summary).toMatchObject({ lines: 13, events: 8, skipped: [] })
    expect(imp.pfns.get(0x120001)).toMatchObject({ refcount: 0, mapcount: 0, fsdax: false, pins: 0 })
    expect(imp.trace.events.tasks).toContain('<...>-3002')
  })

  it('pre-5.15 insert events name the FS DAX pfns (pfn and DAX entry)', () => {
    const imp = importText(fixture('tracefs-5.10-fsdax-insert.txt'))
    expect(imp.summary).toMatchObject({ events: 6, skipped: [] })
    expect(imp.pfns.get(0x240000)).toMatchObject({ fsdax: true, refcount: 1, mapcount: 0 })
    expect(imp.pfns.get(0x120001)).toMatchObject({ fsdax: true, refcount: 1 })
    const cols = imp.trace.events.columns()
    expect([...cols.kind].filter((k) => k === 4)).toHaveLength(2) // two entry_set events
  })

  it('latency format with the 4.9 field set', () => {
    const imp = importText(fixture('latency-4.9-pin-leak.txt'))
    expect(imp.summary).toMatchObject({ events: 3, skipped: [] })
    expect(imp.pfns.get(0x8100)).toMatchObject({ refcount: 1026, mapcount: 1, pins: 1, pinLine: 13 })
  })

  it('malformed and truncated lines: each reported with its line number, the rest imported', () => {
    const imp = importText(fixture('malformed.txt'))
    expect(imp.summary.events).toBe(2)
    expect(imp.summary.skipped.map((s) => s.line)).toEqual([3, 4, 5, 7, 8, 9, 10, 11])
    expect(imp.summary.skipped[0]!.reason).toContain('no count=')
    expect(imp.summary.skipped[2]!.reason).toContain("unknown event 'sched_switch'")
  })

  it('the same result whatever the chunk boundaries (a chunk may end inside a line or a CRLF)', () => {
    const text = fixture('trace-cmd-6.17-fsdax-consistent.txt').replace(/\n/g, '\r\n')
    const whole = importText(text)
    for (const chunk of [1, 7, 64]) {
      const split = importText(text, chunk)
      expect(split.summary).toEqual(whole.summary)
      expect([...split.pfns.values()]).toEqual([...whole.pfns.values()])
    }
  })

  it('an endless line is reported once and dropped, not buffered', () => {
    const imp = new TraceImporter()
    for (let i = 0; i < 100; i++) imp.feed('y'.repeat(10_000))
    imp.feed('\n  bash-9 [000] ..... 5.1: page_ref_set: pfn=0x5 flags= count=1 mapcount=0 mapping=0 mt=0 val=1\n')
    const s = imp.finish()
    expect(s.events).toBe(1)
    expect(s.skipped).toEqual([{ line: 1, reason: expect.stringContaining('longer than') }])
    expect(s.lines).toBe(2)
  })
})
