/**
 * One pair of runs: the outcome changes step by step (the same per-step values as `daxlab compare`,
 * main/sim/compare.ts), violations and blocked tasks added or removed, per-folio divergence and
 * pgmap ref deltas. Called only for pairs whose digests differ.
 */
import { compareRuns } from '../sim/compare'
import type { RunResult } from '../sim/result'
import { firstEventDifference } from './event-diff'
import { diffFolios } from './folio-diff'
import type { BlockedRef, ChangedRun, DiffRun, EventRef, PairedBy, PgmapChange, StepChange, SwitchChange } from './types'

export function diffRunPair(a: DiffRun, b: DiffRun, pairedBy: PairedBy): ChangedRun {
  const ra = a.result()
  const rb = b.result()
  const steps = stepChanges(ra, rb)
  const va = ra.violations.map((v) => ({ kind: v.kind, step: v.step, message: v.message }))
  const vb = rb.violations.map((v) => ({ kind: v.kind, step: v.step, message: v.message }))
  // A violation is the same one when its kind and step match: messages name pfns, which move with the layout.
  const vkey = (v: EventRef) => `${v.kind}@${v.step}`
  const ba = ra.blocked.map((x) => ({ task: x.task, step: x.step, op: x.op }))
  const bb = rb.blocked.map((x) => ({ task: x.task, step: x.step, op: x.op }))
  const bkey = (x: BlockedRef) => `${x.task}@${x.step}`
  let folios: ChangedRun['folios'] = []
  let firstEvent: ChangedRun['first_event'] = null
  if (a.digests.events !== b.digests.events) {
    const ea = a.events()
    const eb = b.events()
    const sa = a.regions()
    const sb = b.regions()
    folios = diffFolios({ events: ea, spans: sa, result: ra }, { events: eb, spans: sb, result: rb })
    firstEvent = firstEventDifference(ea, sa, eb, sb)
  }
  const pgmaps = pgmapChanges(ra, rb)
  const changed: Omit<ChangedRun, 'headline'> = {
    key: a.key,
    ...(pairedBy !== 'exact' ? { b_key: b.key } : {}),
    paired_by: pairedBy,
    a_run: a.label,
    b_run: b.label,
    header: headerChanges(ra, rb),
    switches: switchChanges(ra, rb),
    steps,
    violations_added: minus(vb, va, vkey),
    violations_removed: minus(va, vb, vkey),
    blocked_added: minus(bb, ba, bkey),
    blocked_removed: minus(ba, bb, bkey),
    folios,
    pgmaps,
    events: { a: ra.events, b: rb.events },
    first_event: firstEvent,
  }
  return { ...changed, headline: headline(changed) }
}

/** The run's identity and kernel model fields (what a relaxed pairing lets differ). */
function headerChanges(ra: RunResult, rb: RunResult): Record<string, [string, string]> {
  const out: Record<string, [string, string]> = {}
  for (const f of ['scenario', 'kernel', 'scheme', 'arch', 'variant', 'profile'] as const) if (ra[f] !== rb[f]) out[f] = [ra[f], rb[f]]
  const qa = ra.quirks.join('; ')
  const qb = rb.quirks.join('; ')
  if (qa !== qb) out.quirks = [qa, qb]
  return out
}

/** The switches on in one run only (compare.ts compareSwitches for two runs, as A/B lists). */
export function switchChanges(ra: RunResult, rb: RunResult): SwitchChange | null {
  if (!ra.patches || !rb.patches) return null
  const a = new Set(ra.patches.on)
  const b = new Set(rb.patches.on)
  const onlyA = [...a].filter((n) => !b.has(n))
  const onlyB = [...b].filter((n) => !a.has(n))
  const ea = ra.patches.edits ?? ''
  const eb = rb.patches.edits ?? ''
  if (onlyA.length === 0 && onlyB.length === 0 && ea === eb) return null
  return { only_a: onlyA, only_b: onlyB, ...(ea !== eb ? { edits: [ea, eb] as const } : {}) }
}

function stepChanges(ra: RunResult, rb: RunResult): StepChange[] {
  return compareRuns([ra, rb])
    .steps.filter((s) => s.differs.length > 0)
    .map((s) => ({
      index: s.index,
      op: s.op,
      task: s.task,
      ...(s.label ? { label: s.label } : {}),
      fields: Object.fromEntries(s.differs.map((f) => [f, [s.values[0]![f] ?? '', s.values[1]![f] ?? ''] as [string, string]])),
    }))
}

function pgmapChanges(ra: RunResult, rb: RunResult): PgmapChange[] {
  const names = [...new Set([...ra.pgmaps.map((p) => p.name), ...rb.pgmaps.map((p) => p.name)])].sort()
  return names.flatMap((name) => {
    const x = ra.pgmaps.find((p) => p.name === name)?.refs ?? null
    const y = rb.pgmaps.find((p) => p.name === name)?.refs ?? null
    return x === y ? [] : [{ name, a: x, b: y }]
  })
}

function minus<T>(xs: readonly T[], ys: readonly T[], key: (t: T) => string): T[] {
  const have = new Set(ys.map(key))
  return xs.filter((x) => !have.has(key(x)))
}

const pairs = (fields: Record<string, [string, string]>) =>
  Object.entries(fields)
    .map(([f, [x, y]]) => `${f} ${x || '-'} vs ${y || '-'}`)
    .join(', ')

/** The earliest divergence, by step: an outcome field, or a folio's counts. */
function headline(c: Omit<ChangedRun, 'headline'>): string {
  const step = c.steps[0]
  const folio = c.folios.filter((f) => f.first_divergence).sort((x, y) => x.first_divergence!.step - y.first_divergence!.step)[0]
  if (folio && (!step || folio.first_divergence!.step < step.index)) {
    const d = folio.first_divergence!
    return `step ${d.step} (${d.op}): folio ${folio.region}+${folio.offset} ${pairs(d.fields)}`
  }
  if (step) return `step ${step.index} (${step.op}${step.label ? ' ' + step.label : ''}): ${pairs(step.fields)}`
  if (c.violations_added.length || c.violations_removed.length) return `violations: +${c.violations_added.length} -${c.violations_removed.length}`
  if (c.pgmaps.length) return `pgmap ${c.pgmaps[0]!.name} refs ${c.pgmaps[0]!.a ?? '-'} vs ${c.pgmaps[0]!.b ?? '-'}`
  if (c.folios.length) return `folio ${c.folios[0]!.region}+${c.folios[0]!.offset} final ${pairs(c.folios[0]!.final)}`
  if (c.first_event) return `event #${c.first_event.seq} (step ${c.first_event.step}): ${pairs(c.first_event.fields)}`
  if (Object.keys(c.header).length) return `same steps, events and final state; only ${pairs(c.header)}`
  return 'the run results differ'
}
