/** check-trace's rules on the synthetic corpus and on small hand-made traces. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkStoredEvents, checkTraceText } from '../../main/trace-import/check'
import { TraceImporter } from '../../main/trace-import/importer'
import type { TraceEvent } from '../../main/sim/events'

const DAX_614 = [{ first: 0x240000, last: 0x2403ff }]
const DAX_617 = [{ first: 0x120000, last: 0x1201ff }]
const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8')
const ref = (line: number, name: string, pfn: string, count: number, mapcount: number, val: number, ret = ''): string =>
  `  t-${line} [000] ..... ${line}.000000: ${name}: pfn=${pfn} flags=0x0 count=${count} mapcount=${mapcount} mapping=0 mt=4 val=${val}${ret === '' ? '' : ` ret=${ret}`}`
const insert = (pfn: string): string => `  t-1 [000] ..... 0.5: dax_pmd_insert_mapping: dev 259:0 ino 0xc shared write address 0x200000 length 0x200000 pfn ${pfn} DEV|MAP radix_entry 0x1`

describe('check-trace rules', () => {
  it('flags an FS DAX page reaching 0 on a legacy kernel, and its idle count', () => {
    expect(checkTraceText(fixture('tracefs-6.14-fsdax-legacy.txt'), 'legacy').findings).toEqual([]) // no FS DAX pfn known
    const r = checkTraceText(fixture('tracefs-6.14-fsdax-legacy.txt'), 'legacy', DAX_614)
    expect(r.findings.map((f) => [f.rule, f.line, f.pfn])).toEqual([
      ['idle_count', 24, '0x240000'],
      ['legacy_fsdax_refcount_zero', 24, '0x240000'],
    ])
  })

  it('passes the consistent 6.17 trace, which breaks the legacy rules', () => {
    const text = fixture('trace-cmd-6.17-fsdax-consistent.txt')
    expect(checkTraceText(text, 'refcounted', DAX_617).findings).toEqual([])
    expect(checkTraceText(text, 'legacy', DAX_617).findings.map((f) => [f.rule, f.line])).toEqual([
      ['idle_count', 11],
      ['legacy_fsdax_refcount_zero', 11],
    ])
  })

  it('reports a pin never released, at the line of the pin', () => {
    const r = checkTraceText(fixture('latency-4.9-pin-leak.txt'), 'legacy')
    expect(r.findings).toEqual([expect.objectContaining({ rule: 'pin_not_released', line: 13, pfn: '0x8100' })])
  })

  it('a page that is not FS DAX may reach 0 on a legacy kernel; not while mapped', () => {
    const plain = [ref(1, 'page_ref_set', '0x10', 1, 0, 1), ref(2, 'page_ref_mod_and_test', '0x10', 0, 0, -1, '1')].join('\n')
    expect(checkTraceText(plain, 'legacy').findings).toEqual([])
    const mapped = [ref(1, 'page_ref_set', '0x10', 1, 1, 1), ref(2, 'page_ref_mod_and_test', '0x10', 0, 1, -1, '1')].join('\n')
    expect(checkTraceText(mapped, 'refcounted').findings).toEqual([expect.objectContaining({ rule: 'freed_while_mapped', line: 2 })])
  })

  it('knows a page is FS DAX even when the insert comes after the put', () => {
    const text = [ref(1, 'page_ref_mod_and_test', '0x200', 0, 0, -1, '1'), insert('0x200'), ref(3, 'page_ref_mod', '0x200', 1, 0, 1)].join('\n')
    expect(checkTraceText(text, 'legacy').findings).toEqual([expect.objectContaining({ rule: 'legacy_fsdax_refcount_zero', line: 1, pfn: '0x200' })])
  })

  it('pre-5.15 insert events mark FS DAX pages without --fsdax-pfns', () => {
    expect(checkTraceText(fixture('tracefs-5.10-fsdax-insert.txt'), 'legacy').findings).toEqual([])
    expect(checkTraceText(fixture('tracefs-5.10-fsdax-insert.txt'), 'refcounted').findings.map((f) => [f.rule, f.pfn])).toEqual([
      ['idle_count', '0x240000'],
      ['idle_count', '0x120001'],
    ])
  })

  it('idle count: an unmapped FS DAX page left at 1 on 6.15+ (a leaked reference)', () => {
    const text = [insert('0x300'), ref(2, 'page_ref_mod', '0x300', 2, 1, 1), ref(3, 'page_ref_mod_and_test', '0x300', 1, 0, -1, '0')].join('\n')
    expect(checkTraceText(text, 'refcounted').findings).toEqual([expect.objectContaining({ rule: 'idle_count', line: 3, message: expect.stringContaining('idle value is 0') })])
    expect(checkTraceText(text, 'legacy').findings).toEqual([])
  })

  it('a PMD fault that fell back although aligned, in its VMA and file, with no 4 KiB entry in the range', () => {
    const r = checkTraceText(fixture('tracefs-6.17-pmd-fallback.txt'), 'refcounted')
    expect(r.findings).toEqual([expect.objectContaining({ rule: 'pmd_fallback_aligned', line: 9, pfn: '-', message: expect.stringContaining('0x7f0000200000') })])
    // The same rule on a legacy kernel: the PMD fault path's fallback checks did not change in 6.15.
    expect(checkTraceText(fixture('tracefs-6.17-pmd-fallback.txt'), 'legacy').findings.map((f) => [f.rule, f.line])).toEqual([['pmd_fallback_aligned', 9]])
    // In another machine's sizes (16 KiB pages, 32 MiB PMDs: loongarch) the same faults do not fit a PMD; none at all without PMD leaves.
    expect(checkTraceText(fixture('tracefs-6.17-pmd-fallback.txt'), 'refcounted', [], { pageSize: 16384, pmdSize: 32 << 20 }).findings).toEqual([])
    expect(checkTraceText(fixture('tracefs-6.17-pmd-fallback.txt'), 'refcounted', [], null).findings).toEqual([])
  })

  it('a PMD fault that succeeded, or a PTE entry of another file, is no finding either way', () => {
    const fault = (line: number, ino: string, result: string, name = 'dax_pmd_fault_done'): string =>
      `  fio-1 [000] ..... ${line}.0: ${name}: dev 259:2 ino ${ino} shared WRITE|USER address 0x7f0000200000 vm_start 0x7f0000000000 vm_end 0x7f0000800000 pgoff 0x200 max_pgoff 0x800 ${result}`
    expect(checkTraceText(fault(1, '0x1', 'NOPAGE'), 'refcounted').findings).toEqual([])
    const pteOther = `  fio-1 [000] ..... 1.0: dax_pte_fault_done: dev 259:2 ino 0x9 shared WRITE|USER address 0x7f0000201000 pgoff 0x201 NOPAGE`
    expect(checkTraceText([pteOther, fault(2, '0x1', 'FALLBACK')].join('\n'), 'refcounted').findings.map((f) => f.line)).toEqual([2])
  })

  it('a free while the last mapcount shown is > 0, on a line that prints none', () => {
    const noMapcount = `  t-2 [000] ..... 2.000000: page_ref_mod_and_test: pfn=0x10 flags=0x0 count=0 mapping=0 mt=4 val=-1 ret=1`
    const text = [ref(1, 'page_ref_set', '0x10', 1, 1, 1), noMapcount].join('\n')
    expect(checkTraceText(text, 'refcounted').findings).toEqual([expect.objectContaining({ rule: 'freed_while_mapped', line: 2, message: expect.stringContaining('last mapcount the trace showed is 1') })])
    const unmapped = [ref(1, 'page_ref_set', '0x10', 1, 1, 1), ref(2, 'page_ref_mod_and_test', '0x10', 0, 0, -1, '1')].join('\n')
    expect(checkTraceText(unmapped, 'refcounted').findings).toEqual([])
  })

  it('the stored-run replay finds what the text check finds', () => {
    for (const [name, scheme, dax] of [['tracefs-6.14-fsdax-legacy.txt', 'legacy', DAX_614], ['trace-cmd-6.17-fsdax-consistent.txt', 'legacy', DAX_617], ['latency-4.9-pin-leak.txt', 'refcounted', []], ['tracefs-5.10-fsdax-insert.txt', 'refcounted', []]] as const) {
      const imp = new TraceImporter()
      imp.feed(fixture(name))
      imp.finish()
      const cols = imp.trace.events.columns()
      const kinds = ['refcount', 'mapcount', 'pincount', 'pgmap_refs', 'entry_set']
      const events: TraceEvent[] = [...Array(cols.count).keys()].map((i) => ({
        seq: i, step: cols.step[i]!, task: imp.trace.events.tasks[cols.task[i]!]!, kind: kinds[cols.kind[i]!]!, level: 'none', pfn: cols.pfn[i]!, before: cols.before[i]!, after: cols.after[i]!, cause: imp.trace.events.causes[cols.cause[i]!]!,
      }))
      expect(checkStoredEvents(events, scheme, dax).findings).toEqual(checkTraceText(fixture(name), scheme, dax).findings)
    }
  })
})
