/** import-trace --to-scenario: the proposal from a trace validates, runs, and its probes meet the trace's counts. */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { fuzzRuns, testTimeout } from '../fuzz/budget'
import { TraceImporter } from '../../main/trace-import/importer'
import { compareReplay, scenarioTask, ScenarioProposer } from '../../main/trace-import/to-scenario'
import { runYaml } from '../sim/helpers'

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8')

function propose(text: string, kernel?: string) {
  // onEvent runs only once text is fed, after the proposer exists.
  const importer = new TraceImporter({ onEvent: (e, s) => proposer.onEvent(e, s) })
  const proposer = new ScenarioProposer(importer.pfns)
  importer.feed(text)
  importer.finish()
  return proposer.finish({ name: 't', source: 't.txt', kernel })
}

const stepLines = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('  - ') && !l.startsWith('  - include/'))

describe('import-trace --to-scenario', () => {
  it('replays the consistent 6.17 trace: fault, pin, unpin, munmap; every probe agrees with the trace', () => {
    const p = propose(fixture('trace-cmd-6.17-fsdax-consistent.txt'), '6.17')
    expect(p.notes).toEqual([])
    expect(stepLines(p.text).map((l) => l.slice(4, l.indexOf(':')))).toEqual(['create', 'mmap', 'access', 'probe', 'gup', 'probe', 'unpin', 'probe', 'munmap'])
    expect(p.text).toContain('access: {task: fio-3001, map: m1, offset: 4KiB, write: true, size: pte}')
    const run = runYaml(p.text, '6.17')
    expect(run.result.steps.every((s) => s.status === 'ok')).toBe(true)
    expect(compareReplay(run.result)).toEqual({ probes: 3, disagreements: [] })
  })

  it('on the legacy trace ties the GUP page to its task\'s last fault (a guess it says) and finds the mapcount the model does not keep', () => {
    const p = propose(fixture('tracefs-6.14-fsdax-legacy.txt'), '6.14')
    expect(p.notes).toEqual([expect.stringContaining("1 pfn(s) tied to their task's last fault")])
    expect(p.text).toContain('access: {task: fio-2210, map: m1, offset: 0B, write: true, size: pmd}')
    expect(p.text).toContain('gup: {task: fio-2210, id: g1, map: m1, offset: 0B, pages: 1, pin: false}')
    const cmp = compareReplay(runYaml(p.text, '6.14').result)
    // Refcounts agree (2 while the GUP reference is held, 1 after put); the synthetic trace shows mapcount 1 where legacy FS DAX has none.
    expect(cmp.probes).toBe(2)
    expect(cmp.disagreements.map((d) => [d.line, d.trace.refcount, d.model.refcount, d.trace.mapcount, d.model.mapcount])).toEqual([
      [19, 2, 2, 1, 0],
      [23, 1, 1, 1, 0],
    ])
  })

  it('a PMD fault on 6.17 with its folio reference: mapped at PMD size; the mapping keeps its VMA and file offset', () => {
    const ev = (line: number, name: string, body: string): string => `  fio-7 [000] ..... ${line}.000000: ${name}: ${body}`
    const vma = 'dev 259:0 ino 0x5 shared WRITE|USER address 0x7f0000400000 vm_start 0x7f0000200000 vm_end 0x7f0000800000 pgoff 0x400 max_pgoff 0x1000'
    const text = [
      ev(1, 'dax_pmd_fault', vma),
      ev(2, 'page_ref_mod', 'pfn=0x300000 flags=head count=2 mapcount=0 mapping=0 mt=4 val=1'),
      ev(3, 'page_ref_mod_and_test', 'pfn=0x300000 flags=head count=1 mapcount=1 mapping=0 mt=4 val=-1 ret=0'),
      ev(4, 'dax_pmd_fault_done', `${vma} NOPAGE`),
      ev(5, 'page_ref_mod_and_test', 'pfn=0x300000 flags=head count=0 mapcount=0 mapping=0 mt=4 val=-1 ret=1'),
    ].join('\n')
    const p = propose(text, '6.17')
    expect(p.text).toContain('mmap: {task: fio-7, id: m1, file: /mnt/pmem0/trace-dev259_0-ino0x5, offset: 2MiB, length: 6MiB, shared: true}')
    expect(p.text).toContain('access: {task: fio-7, map: m1, offset: 2MiB, write: true, size: pmd}')
    expect(stepLines(p.text).at(-1)).toBe('  - munmap: {task: fio-7, map: m1}')
    const run = runYaml(p.text, '6.17')
    expect(run.result.steps.find((s) => s.op === 'access')!.notes).toContain('pmd: mapped')
    expect(compareReplay(run.result)).toEqual({ probes: 1, disagreements: [] })
  })

  it('proposes nothing from a trace without faults, and a PMD fallback alone maps nothing', () => {
    expect(propose(fixture('latency-4.9-pin-leak.txt'))).toMatchObject({ steps: 0, notes: expect.arrayContaining([expect.stringContaining('nothing to replay')]) })
    const fallback = propose(fixture('tracefs-6.17-pmd-fallback.txt'))
    // Only the file whose PTE fault mapped a page is created and mapped.
    expect(stepLines(fallback.text).map((l) => l.slice(4, l.indexOf(':')))).toEqual(['create', 'mmap', 'access'])
    expect(runYaml(fallback.text, '6.17').result.steps.every((s) => s.status === 'ok')).toBe(true)
  })

  it('trace task names become scenario task names', () => {
    expect(scenarioTask('<...>-3002')).toBe('unknown-3002')
    expect(scenarioTask('<idle>-0')).toBe('_idle_-0')
    expect(scenarioTask('kworker/u8:3-151')).toBe('kworker_u8_3-151')
    expect(scenarioTask('fio-3001')).toBe('fio-3001')
  })
})

describe('import-trace --to-scenario on any mix of trace lines', () => {
  const lines = ['trace-cmd-6.17-fsdax-consistent.txt', 'tracefs-6.14-fsdax-legacy.txt', 'tracefs-6.17-pmd-fallback.txt', 'tracefs-5.10-fsdax-insert.txt', 'latency-4.9-pin-leak.txt']
    .flatMap((f) => fixture(f).split('\n'))
    .filter((l) => l.length > 0 && !l.startsWith('#'))
  const runs = fuzzRuns(0.05)
  test.prop([fc.array(fc.constantFrom(...lines), { maxLength: 40 })], { numRuns: runs })('never throws; a proposal with steps validates and runs', (picked) => {
    const p = propose(picked.join('\n'), '6.17')
    if (p.steps === 0) return
    const run = runYaml(p.text, '6.17')
    expect(run.result.steps.length).toBe(p.steps)
  }, testTimeout(runs))
})
