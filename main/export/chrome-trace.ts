/**
 * Runs as Chrome Trace Event Format JSON (the "JSON Object Format" that Perfetto UI and
 * chrome://tracing open): a process per run, a thread per task, counter tracks ("ph":"C") per folio
 * (refcount, mapcount, pincount) and per pgmap (refs), instant events ("ph":"i") for steps, waits,
 * wakes, entry changes and frees, violations as global instants in category `violation` with their
 * message, and metadata ("ph":"M") naming kernel, arch and scenario. docs/formats.md#chrome-trace.
 *
 * Time: `ts` counts trace ticks, shown as microseconds. The clock advances one tick per step start
 * and one per event, in log order, so a run of N steps and E events spans N + E ticks. Nothing is
 * measured in real time: the simulation has none.
 *
 * Pure and streaming: yields the file as string pieces so a million-event run never becomes one string.
 */
import { EVENT_KIND_NAMES, EventKind, LEVEL_NAMES } from '../sim/events'
import { eventPlace } from '../diff/regions'
import type { ExportRun } from './source'

const COUNTER_OF: Partial<Record<number, string>> = { [EventKind.REFCOUNT]: 'refcount', [EventKind.MAPCOUNT]: 'mapcount', [EventKind.PINCOUNT]: 'pincount' }

export function* chromeTrace(runs: readonly ExportRun[]): Generator<string> {
  const first = runs[0]?.result
  const other = first ? { generator: 'daxlab', time_unit: 'ticks (1 per step start and per event), shown as us', kernel: first.kernel, arch: first.arch, scenario: first.scenario, runs: runs.length } : { generator: 'daxlab', runs: 0 }
  yield `{"displayTimeUnit":"ns","otherData":${JSON.stringify(other)},"traceEvents":[\n`
  let sep = ''
  const emit = (e: object) => {
    const s = sep + JSON.stringify(e)
    sep = ',\n'
    return s
  }
  let pid = 0
  for (const run of runs) {
    pid++
    const r = run.result
    const ev = run.events
    const c = ev.cols
    const tidOf = (task: string) => {
      const i = ev.tasks.indexOf(task)
      return i >= 0 ? i + 1 : ev.tasks.length + 1 + Math.max(0, taskExtra.indexOf(task))
    }
    const taskExtra = [...new Set(r.steps.map((s) => s.task).filter((t) => !ev.tasks.includes(t)))]
    yield emit({ name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: `${run.label}: ${r.scenario} ${r.kernel} ${r.arch}/${r.variant}` } })
    yield emit({ name: 'process_labels', ph: 'M', ts: 0, pid, tid: 0, args: { labels: `kernel ${r.kernel} (${r.scheme}), arch ${r.arch}/${r.variant}, scenario ${r.scenario}, profile ${r.profile}${run.session ? `, session ${run.session}` : ''}` } })
    yield emit({ name: 'process_sort_index', ph: 'M', ts: 0, pid, tid: 0, args: { sort_index: pid } })
    for (const task of [...ev.tasks, ...taskExtra]) yield emit({ name: 'thread_name', ph: 'M', ts: 0, pid, tid: tidOf(task), args: { name: task } })
    let ts = 0
    let nextStep = 0
    const stepTicks: number[] = []
    const stepEvent = (i: number) => {
      stepTicks[i] = ts
      const s = r.steps[i]!
      const args: Record<string, unknown> = { status: s.status, waited: s.waited }
      if (s.error) args.error = s.error
      if (s.signal) args.signal = s.signal
      if (s.completed_after !== undefined) args.completed_after = s.completed_after
      if (s.message) args.message = s.message
      if (s.probe) args.probe = s.probe
      return emit({ name: `step ${i}: ${s.op}${s.probe?.label ? ' ' + s.probe.label : ''}`, cat: 'step', ph: 'i', s: 't', ts: ts++, pid, tid: tidOf(s.task), args })
    }
    const seen = new Set<string>()
    for (let i = 0; i < c.count; i++) {
      const step = c.step[i]!
      while (nextStep <= step && nextStep < r.steps.length) yield stepEvent(nextStep++)
      const kind = c.kind[i]!
      const place = eventPlace(c.kind[i]!, c.pfn[i]!, run.regions)
      const page = place.offset ? `${place.region}+${place.offset}` : place.region
      const tid = c.task[i]! + 1
      const counter = COUNTER_OF[kind]
      const t = ts++
      if (counter) {
        const name = `folio ${page}`
        // The value before the first change, so the track starts where the page started.
        if (!seen.has(name + counter)) {
          seen.add(name + counter)
          yield emit({ name, cat: 'folio', ph: 'C', ts: 0, pid, tid: 0, args: { [counter]: c.before[i]! } })
        }
        yield emit({ name, cat: 'folio', ph: 'C', ts: t, pid, tid: 0, args: { [counter]: c.after[i]! } })
      } else if (kind === EventKind.PGMAP_REFS) {
        const name = `pgmap ${place.region}`
        if (!seen.has(name)) {
          seen.add(name)
          yield emit({ name, cat: 'pgmap', ph: 'C', ts: 0, pid, tid: 0, args: { refs: c.before[i]! } })
        }
        yield emit({ name, cat: 'pgmap', ph: 'C', ts: t, pid, tid: 0, args: { refs: c.after[i]! } })
      }
      if (!counter) {
        const kindName = EVENT_KIND_NAMES[kind] ?? String(kind)
        const args: Record<string, unknown> = { page, pfn: '0x' + c.pfn[i]!.toString(16), before: c.before[i]!, after: c.after[i]!, cause: ev.causes[c.cause[i]!] ?? '?', step }
        if (kind === EventKind.ENTRY_SET || kind === EventKind.ENTRY_CLEAR) {
          args.entry = '0x' + c.entry[i]!.toString(16)
          args.level = LEVEL_NAMES[c.level[i]!] ?? '?'
        }
        if (kind !== EventKind.PGMAP_REFS) yield emit({ name: `${kindName} ${page}`, cat: kindName, ph: 'i', s: 't', ts: t, pid, tid, args })
      }
    }
    while (nextStep < r.steps.length) yield stepEvent(nextStep++)
    // Violations are found during a step: each goes at its step's tick, process-wide, flagged.
    for (const v of r.violations) {
      yield emit({ name: `violation: ${v.kind}`, cat: 'violation', ph: 'i', s: 'p', ts: stepTicks[v.step] ?? ts, pid, tid: 0, cname: 'terrible', args: { message: v.message, step: v.step, ...(v.pfn ? { pfn: v.pfn } : {}) } })
    }
    for (const b of r.blocked) {
      yield emit({ name: `left blocked: ${b.task}`, cat: 'blocked', ph: 'i', s: 't', ts: ts++, pid, tid: tidOf(b.task), args: { step: b.step, op: b.op, reason: b.reason } })
    }
  }
  yield '\n]}\n'
}
