/**
 * The exporters: Chrome Trace Event Format checked against the format's rules (every event has
 * ph/ts/pid/tid/name, known phases, numeric counters, metadata naming kernel, arch and scenario), the
 * CSV event table and the run JSON; then the CLI command end to end.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { chromeTrace } from '../../main/export/chrome-trace'
import { CSV_COLUMNS, eventsCsv } from '../../main/export/csv'
import { runsJson } from '../../main/export/run-json'
import { daxlab, ensureCli, tempDb } from '../cli/cli-helpers'
import { engineRun, exportRun } from '../diff/fixtures'

interface TraceEvent {
  name: unknown
  ph: unknown
  ts: unknown
  pid: unknown
  tid: unknown
  s?: unknown
  cat?: unknown
  args?: Record<string, unknown>
}

/** The Chrome Trace Event Format rules the exporter relies on (JSON Object Format). */
function checkChromeTrace(text: string): TraceEvent[] {
  const doc = JSON.parse(text) as { traceEvents: TraceEvent[]; displayTimeUnit?: string }
  expect(Array.isArray(doc.traceEvents)).toBe(true)
  expect(['ms', 'ns', undefined]).toContain(doc.displayTimeUnit)
  for (const e of doc.traceEvents) {
    expect(typeof e.name, JSON.stringify(e)).toBe('string')
    expect(typeof e.ph).toBe('string')
    expect(Number.isFinite(e.ts)).toBe(true)
    expect(Number.isInteger(e.pid)).toBe(true)
    expect(Number.isInteger(e.tid)).toBe(true)
    expect(['M', 'C', 'i']).toContain(e.ph)
    if (e.ph === 'C') {
      expect(Object.keys(e.args ?? {}).length).toBeGreaterThan(0)
      for (const v of Object.values(e.args!)) expect(typeof v === 'number' && Number.isFinite(v), JSON.stringify(e)).toBe(true)
    }
    if (e.ph === 'i') expect(['g', 'p', 't']).toContain(e.s)
    if (e.ph === 'M') expect(['process_name', 'process_labels', 'process_sort_index', 'thread_name']).toContain(e.name)
  }
  return doc.traceEvents
}

describe('chrome-trace export', () => {
  it('a process per run, a thread per task, counters per folio and pgmap, flagged violations, metadata', () => {
    const runs = [engineRun('fsdax-truncate-while-pinned', '6.14', undefined, undefined, 1), engineRun('fsdax-truncate-while-pinned', '6.17', undefined, undefined, 2)]
    const events = checkChromeTrace([...chromeTrace(runs.map(exportRun))].join(''))
    const pids = new Set(events.map((e) => e.pid))
    expect(pids).toEqual(new Set([1, 2]))
    const names = events.filter((e) => e.name === 'process_name').map((e) => e.args!.name)
    expect(names).toEqual([expect.stringMatching(/run 1: fsdax-truncate-while-pinned 6.14 x86\//), expect.stringMatching(/run 2: .* 6.17 /)])
    const labels = events.find((e) => e.name === 'process_labels')!.args!.labels as string
    expect(labels).toMatch(/kernel 6.14 \(legacy\), arch x86\/.*, scenario fsdax-truncate-while-pinned/)
    const threads = events.filter((e) => e.name === 'thread_name' && e.pid === 1).map((e) => e.args!.name)
    expect(threads.length).toBeGreaterThan(1) // main and the truncating task
    const counters = events.filter((e) => e.ph === 'C')
    expect(counters.some((e) => String(e.name).startsWith('folio pmem0+0x') && 'refcount' in e.args!)).toBe(true)
    expect(counters.some((e) => e.name === 'pgmap pmem0' && 'refs' in e.args!)).toBe(true)
    // Every step is an instant on its task's thread, in order.
    const steps = events.filter((e) => e.cat === 'step' && e.pid === 1)
    expect(steps.length).toBe(runs[0]!.result.steps.length)
    const ts = steps.map((e) => e.ts as number)
    expect([...ts].sort((x, y) => x - y)).toEqual(ts)
    // Waits appear (truncate waits for the pin on 6.14) and violations are flagged with their message.
    expect(events.some((e) => e.cat === 'wait')).toBe(true)
    for (const [i, run] of runs.entries()) {
      const flagged = events.filter((e) => e.cat === 'violation' && e.pid === i + 1)
      expect(flagged.map((e) => e.args!.message)).toEqual(run.result.violations.map((v) => v.message))
    }
    // Time: one tick per step start and per event.
    const last = Math.max(...events.filter((e) => e.pid === 1 && e.cat !== 'violation' && e.cat !== 'blocked').map((e) => e.ts as number))
    expect(last).toBe(runs[0]!.result.steps.length + runs[0]!.events.cols.count - 1)
  })
})

describe('csv and json export', () => {
  it('csv: a header and one row per event, quoted where needed', () => {
    const run = engineRun('fsdax-truncate-after-munmap', '6.17')
    const text = [...eventsCsv([exportRun(run)])].join('')
    const lines = text.trimEnd().split('\n')
    expect(lines[0]).toBe(CSV_COLUMNS.join(','))
    expect(lines.length - 1).toBe(run.events.cols.count)
    expect(lines[1]!.split(',')[0]).toBe('1')
    expect(lines.some((l) => /,pmem0,0x[0-9a-f]+,/.test(l))).toBe(true)
  })

  it('json: the run contract with its trace', () => {
    const run = engineRun('fsdax-pin-unpin', '6.14')
    const doc = JSON.parse([...runsJson([exportRun(run)])].join(''))
    expect(doc).toMatchObject({ run_id: 1, session: 's', format: 'daxlab-run/1', kernel: '6.14', events: run.events.cols.count })
    expect(doc.trace).toHaveLength(run.events.cols.count)
    expect(doc.trace.find((e: { kind: string }) => e.kind === 'entry_set').entry).toMatch(/^0x[0-9a-f]+$/)
    const session = JSON.parse([...runsJson([exportRun(run), exportRun(run)], { name: 's', info: { name: 's' } })].join(''))
    expect(session).toMatchObject({ format: 'daxlab-session/1', session: { name: 's' } })
    expect(session.runs).toHaveLength(2)
  })
})

describe('daxlab export', () => {
  beforeAll(ensureCli, 120_000)

  it('writes a session as a valid chrome trace, a run as csv and json; bad input exits 2', () => {
    const db = tempDb()
    expect(daxlab(['sweep', '--scenarios', 'fsdax-truncate-hang,devdax-pmd-fault', '--kernel', '6.14,6.17', '--arch', 'x86', '--session', 's', '--db', db]).code).toBe(0)
    const out = join(dirname(db), 's.json')
    const r = daxlab(['export', 's', '--format', 'chrome-trace', '-o', out, '--db', db])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/wrote chrome-trace of 4 runs \(\d+ events, \d+ bytes\)/)
    const events = checkChromeTrace(readFileSync(out, 'utf8'))
    expect(new Set(events.map((e) => e.pid)).size).toBe(4)
    const csv = join(dirname(db), '1.csv')
    expect(daxlab(['export', '1', '--format', 'csv', '-o', csv, '--db', db]).code).toBe(0)
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe(CSV_COLUMNS.join(','))
    const json = join(dirname(db), '1.json')
    expect(daxlab(['export', '1', '--format', 'json', '-o', json, '--db', db]).code).toBe(0)
    expect(JSON.parse(readFileSync(json, 'utf8')).run_id).toBe(1)
    const bad = daxlab(['export', 's', '--format', 'svg', '-o', out, '--db', db])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--format: 'svg' is not one of chrome-trace, csv, json/)
    expect(daxlab(['export', '99', '--format', 'csv', '-o', csv, '--db', db]).code).toBe(2)
    expect(daxlab(['export', 'nope', '--format', 'csv', '-o', csv, '--db', db]).code).toBe(2)
  })
})
