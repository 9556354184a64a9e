/**
 * Streams ftrace text into the lab's event log: feed() takes text chunks of any size (split anywhere,
 * even inside a line), finish() flushes the last line. Memory grows with the events kept and the pfns
 * seen, never with the text: a line is parsed and dropped. Pure: the app can reuse it.
 *
 * Each page_ref event becomes one `refcount` event (before: the pfn's last known count, else the count
 * the delta implies; after: `count`), plus a `mapcount` event when `mapcount` changed. The event's step
 * is the trace line number, its task `comm-pid`, its cause the tracepoint name. fs_dax insert events
 * that name a pfn become `entry_set` events (pmd or pte level) and mark the pfn as FS DAX; the other
 * fs_dax events name no page and are counted, not logged.
 */
import { RUN_EVENT_BUDGET } from '../sim/budget'
import { EventKind, MAX_CAUSES, MAX_TASKS } from '../sim/events'
import { Trace } from '../sim/trace'
import { decodeEvent, isKnownEvent, type DecodedEvent, type FsDaxEvent, type PageRefEvent, type PageRefEventName } from './events'
import { FastKind, FastLine, isPlainText, NAME_COUNT, scanLine } from './fast-line'
import { MAX_LINE_CHARS, parseLine } from './line'
import { inRanges, type PfnRange } from './pfn-ranges'
import type { EventSink } from './event-slices'

export interface SkippedLine {
  readonly line: number
  readonly reason: string
}

/** What one imported event looked like, for the checker (kept per event only when asked). */
export interface ImportedEvent {
  readonly line: number
  readonly task: string
  readonly timeUs: number
  readonly event: DecodedEvent
  /** The count before this event (page_ref events), as the importer reconstructed it. */
  readonly before: number | undefined
  /** Frames of the ` => fn` lines under the event (a shared empty array until the first one). */
  readonly stack: readonly string[]
}

/** The stack of every event without frames: one frozen array instead of one per event. */
const NO_FRAMES: readonly string[] = Object.freeze([])

export interface PfnState {
  readonly pfn: number
  refcount: number
  mapcount: number | undefined
  lastLine: number
  fsdax: boolean
  /** Net GUP pins seen (page_ref_mod by ±GUP_PIN_COUNTING_BIAS multiples) and the line of the last one. */
  pins: number
  pinLine: number
}

export interface ImportSummary {
  readonly lines: number
  readonly events: number
  readonly skipped: readonly SkippedLine[]
  /** Skipped lines beyond the ones listed (the list is capped so memory stays bounded). */
  readonly skippedMore: number
}

/** Skipped lines listed one by one; past this only counted. */
export const MAX_SKIPPED_LISTED = 1000
/**
 * include/linux/mm.h GUP_PIN_COUNTING_BIAS (1024): mm/gup.c try_grab_folio() adds refs * bias to a small
 * folio for FOLL_PIN and gup_put_folio() takes it back, so a ±1024·n page_ref_mod is a pin or an unpin.
 */
export const GUP_PIN_COUNTING_BIAS = 1024

export interface ImporterOptions {
  /** Called for every imported event, in order (check-trace streams through it). */
  readonly onEvent?: (e: ImportedEvent, state: PfnState | undefined) => void
  /** Keep the columnar event log (import-trace); check-trace needs only the states. */
  readonly keepLog?: boolean
  /**
   * Where the events go: by default `trace.events`, in memory; import-trace passes EventSlices, which
   * hands each full slice to the store so memory does not grow with the trace.
   */
  readonly sink?: EventSink
  /** Pfns known to be FS DAX (--fsdax-pfns): modern traces name none in their fs_dax events. */
  readonly fsdaxPfns?: readonly PfnRange[]
}

export class TraceImporter {
  readonly trace = new Trace()
  readonly pfns = new Map<number, PfnState>()
  private readonly skippedList: SkippedLine[] = []
  private skippedMore = 0
  private lineNo = 0
  private events = 0
  private pending = ''
  /** The event whose stack lines may follow: its `stack` is filled here, then it is handed on (only built for onEvent). */
  private last: { -readonly [K in keyof ImportedEvent]: ImportedEvent[K] } | undefined
  private lastEmitted = false
  /** An event was accepted and no other event line came since: stack lines belong to it. */
  private hasLast = false
  /**
   * No one reads the events (no onEvent): lines of the common shape take the fast path (fast-line.ts),
   * which yields only what is stored. With onEvent every line goes through parseLine + decodeEvent.
   */
  private readonly fast: boolean
  private readonly scan = new FastLine()
  /** The fast path's page_ref event, refilled per line: nothing keeps it (no onEvent). */
  private readonly scratch: { -readonly [K in keyof PageRefEvent]: PageRefEvent[K] } = { family: 'page_ref', name: 'page_ref_mod', pfn: 0, flags: '', count: 0, mapcount: undefined, val: undefined, ret: undefined }
  /** The fast path's cause ids by event (FastLine.nameIndex); -1: not looked up yet. */
  private readonly causeIds = new Int32Array(NAME_COUNT).fill(-1)
  /** The last task seen on the fast path and its id: consecutive lines of one task are the rule. */
  private lastTask = ''
  private lastTaskId = -1

  /** The events written (the in-memory log unless a sink was given). */
  readonly log: EventSink
  private readonly keep: boolean

  constructor(private readonly options: ImporterOptions = {}) {
    this.log = options.sink ?? this.trace.events
    this.keep = options.keepLog !== false
    this.fast = options.onEvent === undefined
  }

  /**
   * `plain`: the caller knows isPlainText(chunk) (trace-file.ts checks the bytes, which is cheaper);
   * left out, it is tested here.
   */
  feed(chunk: string, plain?: boolean): void {
    // The line the last chunk left open is finished on its own, so the loop below scans the chunk as
    // it came (a flat string) rather than pending + chunk (a cons string V8 reads through a pointer).
    let text = chunk
    let start = 0
    if (this.pending.length > 0) {
      const nl = chunk.indexOf('\n')
      if (nl < 0) text = this.pending + chunk
      else {
        const first = this.pending + chunk.slice(0, nl)
        if (!this.fastLine(first, 0, first.length, isPlainText(first))) this.line(first)
        start = nl + 1
      }
    }
    if (this.fast) {
      const plainText = text === chunk && plain !== undefined ? plain : isPlainText(text)
      for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
        if (!this.fastLine(text, start, nl, plainText)) this.line(text.slice(start, nl))
        start = nl + 1
      }
    } else {
      // With onEvent every line takes the general path: a loop of its own, as before the fast path.
      for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
        this.line(text.slice(start, nl))
        start = nl + 1
      }
    }
    text = text.slice(start)
    // A "line" that never ends is not text: report it once and drop what was read of it.
    if (text.length > MAX_LINE_CHARS) {
      this.line(text)
      this.pending = ''
      this.dropUntilNewline = true
    } else this.pending = text
  }

  private dropUntilNewline = false
  private afterSkippedEvent = false

  finish(): ImportSummary {
    if (this.pending.length > 0) this.line(this.pending)
    this.pending = ''
    this.flushLast()
    return { lines: this.lineNo, events: this.events, skipped: this.skippedList, skippedMore: this.skippedMore }
  }

  private skip(reason: string): void {
    if (this.skippedList.length < MAX_SKIPPED_LISTED) this.skippedList.push({ line: this.lineNo, reason })
    else this.skippedMore++
  }

  private line(raw: string): void {
    if (this.dropUntilNewline) {
      // The rest of an over-long line: it was reported with the line number it started on.
      this.dropUntilNewline = false
      return
    }
    this.lineNo++
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    const parsed = parseLine(text)
    switch (parsed.kind) {
      case 'ignored':
        return
      case 'bad':
        this.skip(parsed.reason)
        return
      case 'stack':
        this.stackFrame(parsed.frame)
        return
      case 'event': {
        this.eventLine()
        if (!isKnownEvent(parsed.event)) {
          this.skip(`unknown event '${parsed.event}' (only page_ref and fs_dax events are imported)`)
          return
        }
        const decoded = decodeEvent(parsed.event, parsed.body)
        if (!decoded.ok) {
          this.skip(decoded.reason)
          return
        }
        this.afterSkippedEvent = false
        this.accept(`${parsed.task}-${parsed.pid}`, parsed.timeUs, decoded.event)
      }
    }
  }

  /**
   * The fast path for text[start, nl): true when it took the line (counted and applied as line() would),
   * false to leave it to line().
   */
  private fastLine(text: string, start: number, nl: number, plain: boolean): boolean {
    if (!this.fast || this.dropUntilNewline) return false
    const end = nl > start && text.charCodeAt(nl - 1) === 13 /* \r */ ? nl - 1 : nl
    const f = this.scan
    const kind = scanLine(text, start, end, f, plain)
    if (kind === FastKind.Decline) return false
    this.lineNo++
    if (kind === FastKind.Stack) {
      // Nothing reads the frames here: only whether the line belongs to an event matters.
      this.stackFrame(undefined)
      return true
    }
    this.eventLine()
    this.afterSkippedEvent = false
    if (this.events >= RUN_EVENT_BUDGET) {
      this.skip(`event budget of ${RUN_EVENT_BUDGET} events per run reached`)
      return true
    }
    const taskId = this.taskIdAt(text, f.taskStart, f.taskEnd)
    const causeId = this.causeIdOf(f)
    this.events++
    if (kind === FastKind.PageRef) {
      const e = this.scratch
      e.name = f.name as PageRefEventName
      e.pfn = f.pfn
      e.count = f.count
      e.mapcount = f.mapcount
      e.val = f.val
      e.ret = f.ret
      this.pageRef(e, taskId, causeId)
    }
    // An fs_dax line on the fast path names no page (fast-line.ts declines the others): counted only.
    this.hasLast = true
    return true
  }

  /** accept()'s cause id for the event's name, looked up once per name while the table has room. */
  private causeIdOf(f: FastLine): number {
    const log = this.log
    if (log.causes.length >= MAX_CAUSES - 1) return log.causeId('(other events)')
    let id = this.causeIds[f.nameIndex]!
    if (id < 0) id = this.causeIds[f.nameIndex] = log.causeId(f.name)
    return id
  }

  /** accept()'s task id for `comm-pid` at text[from, to), without a string while the task repeats. */
  private taskIdAt(text: string, from: number, to: number): number {
    const log = this.log
    if (log.tasks.length >= MAX_TASKS - 1) return log.taskId('(other tasks)')
    const last = this.lastTask
    if (this.lastTaskId >= 0 && to - from === last.length && text.startsWith(last, from)) return this.lastTaskId
    this.lastTask = text.slice(from, to)
    this.lastTaskId = log.taskId(this.lastTask)
    return this.lastTaskId
  }

  /** A stack line: its frame goes to the event above (when onEvent reads it); with none above it is reported. */
  private stackFrame(frame: string | undefined): void {
    // Frames of a skipped event go with it; frames with no event at all are reported.
    if (this.hasLast) {
      if (this.last && this.last.stack.length < 64 && frame !== undefined) {
        if (this.last.stack === NO_FRAMES) this.last.stack = []
        ;(this.last.stack as string[]).push(frame)
      }
    } else if (!this.afterSkippedEvent) this.skip('stack frame with no event above it')
  }

  /** An event line ends the previous event's stack: hand it on, and nothing is above until this one is accepted. */
  private eventLine(): void {
    this.flushLast()
    this.last = undefined
    this.hasLast = false
    this.afterSkippedEvent = true
  }

  /** The previous event is handed on once its stack lines (which follow it) are all read. */
  private flushLast(): void {
    if (this.last && !this.lastEmitted) {
      this.lastEmitted = true
      const e = this.last
      const state = e.event.pfn !== undefined ? this.pfns.get(e.event.pfn) : undefined
      this.options.onEvent?.(e, state)
    }
  }

  private state(pfn: number): PfnState {
    let s = this.pfns.get(pfn)
    if (!s) {
      s = newPfnState(pfn, this.lineNo)
      s.fsdax = inRanges(pfn, this.options.fsdaxPfns ?? [])
      this.pfns.set(pfn, s)
    }
    return s
  }

  private accept(task: string, timeUs: number, event: DecodedEvent): void {
    if (this.events >= RUN_EVENT_BUDGET) {
      this.skip(`event budget of ${RUN_EVENT_BUDGET} events per run reached`)
      return
    }
    const log = this.log
    const taskId = log.tasks.length < MAX_TASKS - 1 ? log.taskId(task) : log.taskId('(other tasks)')
    const causeId = log.causes.length < MAX_CAUSES - 1 ? log.causeId(event.name) : log.causeId('(other events)')
    this.events++
    const before = event.family === 'page_ref' ? this.pageRef(event, taskId, causeId) : this.fsDax(event, taskId, causeId)
    this.hasLast = true
    if (this.options.onEvent) {
      this.last = { line: this.lineNo, task, timeUs, event, before, stack: NO_FRAMES }
      this.lastEmitted = false
    }
  }

  private pageRef(e: PageRefEvent, task: number, cause: number): number {
    const s = this.state(e.pfn)
    const implied = impliedBefore(e)
    const before = Number.isNaN(s.refcount) ? implied : s.refcount
    if (this.keep) this.log.push(this.lineNo, task, EventKind.REFCOUNT, 0, e.pfn, before, e.count, cause)
    if (e.mapcount !== undefined && e.mapcount !== s.mapcount) {
      if (this.keep) this.log.push(this.lineNo, task, EventKind.MAPCOUNT, 0, e.pfn, s.mapcount ?? e.mapcount, e.mapcount, cause)
    }
    applyPageRef(s, e, this.lineNo)
    return before
  }

  private fsDax(e: FsDaxEvent, task: number, cause: number): undefined {
    // Fault and writeback events name no page: they are counted and checked, not put on a pfn timeline.
    if (e.pfn === undefined) return undefined
    const s = this.state(e.pfn)
    s.fsdax = true
    s.lastLine = this.lineNo
    const level = e.name === 'dax_pmd_insert_mapping' ? 2 : 1
    if (this.keep) this.log.push(this.lineNo, task, EventKind.ENTRY_SET, level, e.pfn, e.address !== undefined ? Math.floor(e.address / 4096) : 0, 0, cause)
    return undefined
  }
}

/** A page_ref event's effect on its pfn's state: count, mapcount, outstanding pins (also used on replay). */
export function applyPageRef(s: PfnState, e: PageRefEvent, line: number): void {
  if ((e.name === 'page_ref_mod' || e.name === 'page_ref_mod_and_test' || e.name === 'page_ref_mod_and_return') && e.val !== undefined && e.val !== 0 && e.val % GUP_PIN_COUNTING_BIAS === 0) {
    s.pins += e.val / GUP_PIN_COUNTING_BIAS
    s.pinLine = line
  }
  if (e.mapcount !== undefined) s.mapcount = e.mapcount
  s.refcount = e.count
  s.lastLine = line
}

export function newPfnState(pfn: number, line: number): PfnState {
  return { pfn, refcount: Number.NaN, mapcount: undefined, lastLine: line, fsdax: false, pins: 0, pinLine: 0 }
}

/** The count before a page_ref event when nothing earlier in the trace showed the pfn. */
function impliedBefore(e: PageRefEvent): number {
  switch (e.name) {
    case 'page_ref_freeze':
      return e.val ?? e.count // freeze(page, count): cmpxchg count -> 0
    case 'page_ref_unfreeze':
      return 0
    case 'page_ref_set':
      return e.count
    case 'page_ref_mod_unless':
      return e.ret === 0 ? e.count : e.count - (e.val ?? 0)
    default:
      return e.count - (e.val ?? 0)
  }
}
