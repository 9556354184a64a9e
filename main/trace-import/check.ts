/**
 * check-trace: the model's refcount rules for one kernel applied to what a trace shows. The kernel is
 * the ground truth: a finding means the trace and the model disagree, and either may be the one that
 * is wrong (a kernel bug, a missing rule, or a trace taken on another kernel than the one named).
 *
 * Rules (docs/trace-import.md#rules):
 * - legacy_fsdax_refcount_zero: on the legacy scheme (<= 6.14) an FS DAX page is idle at refcount 1 and
 *   never reaches 0 (6.14 mm/memremap.c __put_devmap_managed_folio_refs(), reached from
 *   include/linux/mm.h put_devmap_managed_folio_refs(): "fsdax page refcounts are 1-based", a count of
 *   1 is a free page and wakes the waiters).
 * - idle_count: at the end of the trace an FS DAX page with no mapping and no pin outstanding reads the
 *   kernel's idle value: 1 on legacy, 0 from 6.15 ("fs/dax: Fix ZONE_DEVICE page reference counts",
 *   fs/dax.c dax_folio_put() in 6.15).
 * - pin_not_released: a GUP pin (a page_ref_mod of +n·GUP_PIN_COUNTING_BIAS, mm/gup.c try_grab_folio())
 *   with no matching unpin (gup_put_folio()) by the end of the trace.
 * - freed_while_mapped: a page's refcount reaches 0 while the trace shows it mapped: the event's
 *   mapcount > 0, or, for a line that prints no mapcount, the last mapcount shown for the pfn (a mapping
 *   holds a reference on every page from 6.15, and on every page but legacy FS DAX before).
 * - pmd_fallback_aligned: a dax_pmd_fault_done with VM_FAULT_FALLBACK for a fault that passed every
 *   check fs/dax.c dax_fault_check_fallback() makes on what the trace shows (address colour matches the
 *   file offset's, not a write to a private mapping, the 2 MiB range inside the VMA and the file), with
 *   no PTE entry of that file range seen earlier (dax_iomap_pmd_fault(): grab_mapping_entry() falls back
 *   on one) and no zero-page hole fallback: the model maps a PMD there. What is left is the extent the
 *   filesystem returned (iomap_length() < PMD_SIZE, or an unaligned pfn), which the trace does not show.
 * An FS DAX page is one in the --fsdax-pfns ranges or one an fs_dax event names (dax_pmd_insert_mapping's
 * pfn, dax_insert_mapping's DAX entry: kernels before 5.15 only, see pfn-ranges.ts); without either the
 * FS DAX rules find nothing.
 */
import type { RefcountScheme } from '../sim/kernel-model'
import type { TraceEvent } from '../sim/events'
import { PAGE_REF_EVENTS, type PageRefEventName } from './events'
import { PmdFallbackRule, X86_PMD_GEOMETRY, type PmdGeometry } from './pmd-fallback'
import { inRanges, type PfnRange } from './pfn-ranges'
import { applyPageRef, newPfnState, TraceImporter, type ImportSummary, type PfnState, type ImportedEvent } from './importer'

export type RuleName = 'legacy_fsdax_refcount_zero' | 'idle_count' | 'pin_not_released' | 'freed_while_mapped' | 'pmd_fallback_aligned'

export interface Finding {
  readonly rule: RuleName
  readonly line: number
  readonly pfn: string
  readonly message: string
}

export interface CheckResult {
  readonly scheme: RefcountScheme
  readonly findings: Finding[]
  readonly pfns: number
}

function hex(pfn: number): string {
  return '0x' + pfn.toString(16)
}

/** Idle refcount of an FS DAX page: 1 under the devmap scheme, 0 under the refcounted one. */
export function fsdaxIdleCount(scheme: RefcountScheme): number {
  return scheme === 'legacy' ? 1 : 0
}

/** Streaming checker: build it, hand its `onEvent` to a TraceImporter, call finish() at the end. */
export class TraceChecker {
  readonly findings: Finding[] = []
  /** Page_ref events of pfns not yet known to be FS DAX when seen: judged once the trace is read. */
  private readonly zeroes = new Map<number, number[]>()
  private readonly pmdFallback: PmdFallbackRule | undefined

  /** `pmd`: the traced machine's page and PMD sizes (default x86-64's); null where it maps no PMD leaves (the PMD rule is off). */
  constructor(
    readonly scheme: RefcountScheme,
    pmd: PmdGeometry | null = X86_PMD_GEOMETRY,
  ) {
    this.pmdFallback = pmd ? new PmdFallbackRule(pmd) : undefined
  }

  readonly onEvent = (e: ImportedEvent, s: PfnState | undefined): void => {
    if (e.event.family === 'fs_dax') {
      const message = this.pmdFallback?.onEvent(e.task, e.event)
      if (message !== undefined) this.findings.push({ rule: 'pmd_fallback_aligned', line: e.line, pfn: '-', message })
      return
    }
    if (!s) return
    const ev = e.event
    // The state already holds this event's mapcount, or the last one shown when the line prints none.
    const mapped = s.mapcount ?? 0
    if (ev.count === 0 && mapped > 0) {
      const shown = ev.mapcount !== undefined ? `while mapcount is ${mapped}` : `while the last mapcount the trace showed is ${mapped} (this line prints none)`
      this.findings.push({ rule: 'freed_while_mapped', line: e.line, pfn: hex(ev.pfn), message: `${ev.name} took the refcount to 0 ${shown}` })
    }
    if (this.scheme === 'legacy' && ev.count === 0 && e.before !== 0) {
      // Whether the pfn is FS DAX may only be known later (an insert after the first put): judged in finish().
      const lines = this.zeroes.get(ev.pfn) ?? []
      if (lines.length < 16) lines.push(e.line)
      this.zeroes.set(ev.pfn, lines)
    }
  }

  finish(pfns: ReadonlyMap<number, PfnState>): CheckResult {
    for (const [pfn, lines] of this.zeroes) {
      if (!pfns.get(pfn)?.fsdax) continue
      for (const line of lines) {
        this.findings.push({ rule: 'legacy_fsdax_refcount_zero', line, pfn: hex(pfn), message: 'an FS DAX page reached refcount 0 on a legacy kernel, where idle FS DAX pages sit at 1' })
      }
    }
    const idle = fsdaxIdleCount(this.scheme)
    for (const s of pfns.values()) {
      if (s.pins > 0) {
        this.findings.push({ rule: 'pin_not_released', line: s.pinLine, pfn: hex(s.pfn), message: `${s.pins} GUP pin(s) (GUP_PIN_COUNTING_BIAS each) still held at the end of the trace` })
        continue
      }
      if (s.fsdax && s.mapcount === 0 && !Number.isNaN(s.refcount) && s.refcount !== idle) {
        this.findings.push({
          rule: 'idle_count',
          line: s.lastLine,
          pfn: hex(s.pfn),
          message: `unmapped FS DAX page ends at refcount ${s.refcount}; the ${this.scheme} scheme's idle value is ${idle}`,
        })
      }
    }
    this.findings.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule))
    return { scheme: this.scheme, findings: this.findings, pfns: pfns.size }
  }
}

/** Checks a whole trace text at once (tests, small inputs); the CLI streams through TraceChecker. */
export function checkTraceText(text: string, scheme: RefcountScheme, fsdaxPfns: readonly PfnRange[] = [], pmd: PmdGeometry | null = X86_PMD_GEOMETRY): CheckResult & { summary: ImportSummary } {
  const checker = new TraceChecker(scheme, pmd)
  const importer = new TraceImporter({ onEvent: checker.onEvent, keepLog: false, fsdaxPfns })
  importer.feed(text)
  const summary = importer.finish()
  return { ...checker.finish(importer.pfns), summary }
}

const PAGE_REF_NAMES: ReadonlySet<string> = new Set(PAGE_REF_EVENTS)

/**
 * Checks a stored imported run from its event log: the importer wrote one refcount event per page_ref
 * line (step = line number, cause = tracepoint name), a mapcount event after it when mapcount changed,
 * and an entry_set event per fs_dax insert naming a pfn. The replay rebuilds the same states.
 * Events of a simulated run (causes that are not tracepoint names) are not page_ref lines: ignored.
 */
export function checkStoredEvents(events: Iterable<TraceEvent>, scheme: RefcountScheme, fsdaxPfns: readonly PfnRange[] = []): CheckResult {
  const checker = new TraceChecker(scheme)
  const pfns = new Map<number, PfnState>()
  const state = (pfn: number, line: number): PfnState => {
    let s = pfns.get(pfn)
    if (!s) {
      pfns.set(pfn, (s = newPfnState(pfn, line)))
      s.fsdax = inRanges(pfn, fsdaxPfns)
    }
    return s
  }
  let pending: { e: TraceEvent; mapcount: number | undefined } | undefined
  const flush = (): void => {
    if (!pending) return
    const { e, mapcount } = pending
    pending = undefined
    const s = state(e.pfn, e.step)
    const ev = { family: 'page_ref' as const, name: e.cause as PageRefEventName, pfn: e.pfn, flags: '', count: e.after, mapcount: mapcount ?? s.mapcount, val: e.after - e.before, ret: undefined }
    applyPageRef(s, ev, e.step)
    checker.onEvent({ line: e.step, task: e.task, timeUs: 0, event: ev, before: e.before, stack: [] }, s)
  }
  for (const e of events) {
    if (e.kind === 'mapcount' && pending && pending.e.step === e.step && pending.e.pfn === e.pfn) {
      pending.mapcount = e.after
      continue
    }
    flush()
    if (e.kind === 'refcount' && PAGE_REF_NAMES.has(e.cause)) pending = { e, mapcount: undefined }
    else if (e.kind === 'entry_set' && e.cause.startsWith('dax_')) {
      const s = state(e.pfn, e.step)
      s.fsdax = true
      s.lastLine = e.step
    }
  }
  flush()
  return checker.finish(pfns)
}
