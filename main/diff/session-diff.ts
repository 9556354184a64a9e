/**
 * Diffs two sessions. Runs pair by (scenario, kernel, arch, variant, profile hash); runs left over on
 * both sides then pair when exactly one on each side matches with the profile's content or the kernel
 * relaxed (an edited profile, or a sweep over 6.15 instead of 6.17), so such a diff names the first
 * divergence instead of listing everything as "only in". Pairs with equal digests are identical
 * without decoding anything: that is what makes a diff of million-event sessions fast.
 */
import { diffRunPair } from './run-diff'
import type { ChangedRun, DiffRun, DiffSide, NotRun, NotRunChange, PairedBy, RunKey, SessionDiff } from './types'

const EXACT = (k: RunKey) => `${k.scenario}|${k.kernel}|${k.arch}|${k.variant}|${k.profileHash}`
const RELAXED: readonly [PairedBy, (k: RunKey) => string][] = [
  ['profile', (k) => `${k.scenario}|${k.kernel}|${k.arch}|${k.variant}|${k.profile}`],
  ['kernel', (k) => `${k.scenario}|${k.arch}|${k.variant}|${k.profileHash}`],
]

export function diffSessions(a: DiffSide, b: DiffSide): SessionDiff {
  const pairs: [DiffRun, DiffRun, PairedBy][] = []
  let leftA = [...a.runs]
  let leftB = [...b.runs]
  ;[leftA, leftB] = pairBy(leftA, leftB, EXACT, 'exact', pairs, false)
  for (const [by, key] of RELAXED) [leftA, leftB] = pairBy(leftA, leftB, key, by, pairs, true)
  let identical = 0
  const changed: ChangedRun[] = []
  for (const [x, y, by] of pairs) {
    if (by === 'exact' && x.digests.result === y.digests.result && x.digests.events === y.digests.events) identical++
    else changed.push(diffRunPair(x, y, by))
  }
  const notRun = diffNotRun(a, b)
  const onlyA = leftA.map((r) => ({ ...r.key, run: r.label }))
  const onlyB = leftB.map((r) => ({ ...r.key, run: r.label }))
  const summary = { identical, changed: changed.length, only_in_a: onlyA.length, only_in_b: onlyB.length, not_run_changed: notRun.length }
  return {
    format: 'daxlab-diff/1',
    a: { label: a.label, runs: a.runs.length, not_run: a.notRun.length },
    b: { label: b.label, runs: b.runs.length, not_run: b.notRun.length },
    identical: changed.length + onlyA.length + onlyB.length + notRun.length === 0,
    summary,
    summary_line: summaryLine(summary),
    changed,
    only_in_a: onlyA,
    only_in_b: onlyB,
    not_run: notRun,
  }
}

/** Pairs runs whose key matches; with `unique`, only keys held by exactly one run on each side. */
function pairBy(as: DiffRun[], bs: DiffRun[], key: (k: RunKey) => string, by: PairedBy, out: [DiffRun, DiffRun, PairedBy][], unique: boolean): [DiffRun[], DiffRun[]] {
  const groupsA = group(as, key)
  const groupsB = group(bs, key)
  const used = new Set<DiffRun>()
  for (const [k, ga] of groupsA) {
    const gb = groupsB.get(k)
    if (!gb || (unique && (ga.length !== 1 || gb.length !== 1))) continue
    // Same key more than once on a side (a session holding repeats): pair in order.
    for (let i = 0; i < Math.min(ga.length, gb.length); i++) {
      out.push([ga[i]!, gb[i]!, by])
      used.add(ga[i]!).add(gb[i]!)
    }
  }
  return [as.filter((r) => !used.has(r)), bs.filter((r) => !used.has(r))]
}

function group(runs: readonly DiffRun[], key: (k: RunKey) => string): Map<string, DiffRun[]> {
  const out = new Map<string, DiffRun[]>()
  for (const r of runs) {
    const k = key(r.key)
    const list = out.get(k)
    if (list) list.push(r)
    else out.set(k, [r])
  }
  return out
}

/** Combinations skipped, failed or pending on either side whose status is not the same on the other. */
function diffNotRun(a: DiffSide, b: DiffSide): NotRunChange[] {
  const runA = new Map(a.runs.map((r) => [EXACT(r.key), r.label]))
  const runB = new Map(b.runs.map((r) => [EXACT(r.key), r.label]))
  const nrA = new Map(a.notRun.map((n) => [EXACT(n.key), n]))
  const nrB = new Map(b.notRun.map((n) => [EXACT(n.key), n]))
  const describe = (n: NotRun | undefined, run: string | undefined) => (n ? { status: n.status, reason: n.reason } : run ? { status: 'done', reason: null, run } : null)
  const out: NotRunChange[] = []
  for (const k of [...new Set([...nrA.keys(), ...nrB.keys()])].sort()) {
    const x = nrA.get(k)
    const y = nrB.get(k)
    if (x && y && x.status === y.status && x.reason === y.reason) continue
    out.push({ key: (x ?? y)!.key, a: describe(x, runA.get(k)), b: describe(y, runB.get(k)) })
  }
  return out
}

function summaryLine(s: SessionDiff['summary']): string {
  const parts = [`${s.identical} runs identical`, `${s.changed} changed`]
  if (s.only_in_a) parts.push(`${s.only_in_a} only in A`)
  if (s.only_in_b) parts.push(`${s.only_in_b} only in B`)
  if (s.not_run_changed) parts.push(`${s.not_run_changed} skipped/failed combinations differ`)
  return parts.join(', ')
}
