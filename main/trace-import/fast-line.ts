/**
 * The importer's fast path: one scan of a line of the common shape, in place in the text chunk (no
 * string per line or per field, no regex, no object), for `import-trace` where no one reads the events
 * (no onEvent). It answers only what the importer then stores: the task's `comm-pid`, the event, and a
 * page_ref line's numbers. Whatever it is not sure of it declines, and the line goes through
 * parseLine + decodeEvent as before, so the results (events, skipped lines and their reasons) are the
 * general parser's (test/trace-import/fast-line.test.ts holds the two to each other).
 *
 * Accepted, with spaces only (a tab or any other blank declines):
 *   `  COMM-PID [CPU] FLAGS SEC.FRAC: EVENT: BODY` (FLAGS optional, 3 to 7 characters; COMM without
 *   blanks; printable ASCII from the event name on) and stack lines `  => FRAME`.
 * Declined: no leading blank (a trace-cmd preamble line may start there), the tgid column, the
 * latency format, an event other than page_ref/fs_dax, a body the general decoder would refuse, and the
 * fs_dax lines that name a page (`pfn`, `radix_entry`, `xa_entry`: the pre-5.15 insert events).
 */
import { FS_DAX_EVENTS, integerIn, PAGE_REF_EVENTS, RESULT_REQUIRED } from './events'
import { MAX_LINE_CHARS } from './line'

export const enum FastKind {
  /** Not sure: parse the line with parseLine + decodeEvent. */
  Decline = 0,
  Stack = 1,
  PageRef = 2,
  FsDax = 3,
}

/** What a scan found; one instance is reused for every line. */
export class FastLine {
  /** `comm-pid` is text[taskStart, taskEnd) (the pid has no leading zero, so it reads as it prints). */
  taskStart = 0
  taskEnd = 0
  /** The event's name (one of the constant names of events.ts) and its index in NAME_COUNT order. */
  name = ''
  nameIndex = 0
  pfn = 0
  count = 0
  mapcount: number | undefined
  val: number | undefined
  ret: number | undefined
}

interface KnownName {
  readonly name: string
  readonly index: number
  readonly pageRef: boolean
  readonly resultRequired: boolean
}

/** The known event names by length: a lookup is a few startsWith at most, no string made. */
const NAMES_BY_LENGTH: KnownName[][] = []
/** How many known names there are (FastLine.nameIndex is below it). */
export const NAME_COUNT = PAGE_REF_EVENTS.length + FS_DAX_EVENTS.length
PAGE_REF_EVENTS.forEach((name, index) => (NAMES_BY_LENGTH[name.length] ??= []).push({ name, index, pageRef: true, resultRequired: false }))
FS_DAX_EVENTS.forEach((name, i) => (NAMES_BY_LENGTH[name.length] ??= []).push({ name, index: PAGE_REF_EVENTS.length + i, pageRef: false, resultRequired: RESULT_REQUIRED.has(name) }))

/**
 * Whether a text is plain: ASCII with no blank but the space and no line break but `\n` (no tab,
 * VT, FF, CR). In a plain text the parser's regexes, trim() and integer() see the same word and value
 * boundaries as this scan, so it skips its per-character checks. Other ASCII controls may be there:
 * they are characters like any other to both (`\S`, `.`), and a number containing one fails both.
 * main/cli/trace-file.ts computes the same on the bytes, with native scans (`isPlainBytes`).
 */
const NOT_PLAIN = /[\t\v\f\r\u0080-\uffff]/
export function isPlainText(text: string): boolean {
  return !NOT_PLAIN.test(text)
}

const SPACE = 32
const MAX_WORDS = 48
/** Word boundaries of the fs_dax body being scanned; reused. */
const wordStart = new Int32Array(MAX_WORDS)
const wordEnd = new Int32Array(MAX_WORDS)

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

/** Printable ASCII other than the space: no blank of any kind, no line break, nothing non-ASCII. */
function isVisible(c: number): boolean {
  return c > SPACE && c < 127
}

function isNameChar(c: number, first: boolean): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (!first && isDigit(c))
}

/** text[from, to) equals `word`. */
function isWord(text: string, from: number, to: number, word: string): boolean {
  return to - from === word.length && text.startsWith(word, from)
}

/**
 * Scans text[start, end) (one line, without its line end) into `out`. Mirrors line.ts parseLine: for
 * the shapes accepted here the HEAD regex has exactly one way to match (see the comments), so the
 * fields are those it would capture. `plain`: isPlainText() holds for the text.
 */
export function scanLine(text: string, start: number, end: number, out: FastLine, plain = false): FastKind {
  if (end - start > MAX_LINE_CHARS) return FastKind.Decline
  let i = start
  while (i < end && text.charCodeAt(i) === SPACE) i++
  if (i === end) return FastKind.Decline
  // No PREAMBLE branch matches a line starting with `=`.
  if (text.charCodeAt(i) === 61 /* = */) return stackLine(text, i, end, plain)
  if (i === start) return FastKind.Decline
  // `(.+?)-(\d+)\s+`: the first `-digits ` after a comm without blanks; an earlier one does not exist.
  const taskStart = i
  let pidEnd = -1
  for (; i < end; i++) {
    const c = text.charCodeAt(i)
    if (!isVisible(c)) return FastKind.Decline
    if (c === 45 /* - */ && i > taskStart) {
      let j = i + 1
      while (j < end && isDigit(text.charCodeAt(j))) j++
      if (j > i + 1 && j < end && text.charCodeAt(j) === SPACE) {
        // A pid of leading zeros or past 2^53 would not print back as itself (`comm-${Number(pid)}`).
        if ((text.charCodeAt(i + 1) === 48 && j > i + 2) || j - i - 1 > 15) return FastKind.Decline
        pidEnd = j
        break
      }
    }
  }
  if (pidEnd < 0) return FastKind.Decline
  i = skipSpaces(text, pidEnd, end)
  // `\[(\d+)\]\s+`; the tgid column `(...)` and the latency format are left to the regex.
  if (text.charCodeAt(i) !== 91 /* [ */) return FastKind.Decline
  let j = i + 1
  while (j < end && isDigit(text.charCodeAt(j))) j++
  if (j === i + 1 || text.charCodeAt(j) !== 93 /* ] */ || text.charCodeAt(j + 1) !== SPACE) return FastKind.Decline
  i = skipSpaces(text, j + 1, end)
  // `(?:[^\s\d][^\s]{2,6}\s+)?`: the irq/preempt flags, a whole run of 3 to 7 visible characters.
  if (i < end && !isDigit(text.charCodeAt(i))) {
    j = i
    while (j < end && isVisible(text.charCodeAt(j))) j++
    if (j - i < 3 || j - i > 7 || text.charCodeAt(j) !== SPACE) return FastKind.Decline
    i = skipSpaces(text, j, end)
  }
  // `(\d+)\.(\d{1,9})\s*:\s+`
  j = i
  while (j < end && isDigit(text.charCodeAt(j))) j++
  if (j === i || text.charCodeAt(j) !== 46 /* . */) return FastKind.Decline
  i = j + 1
  j = i
  while (j < end && isDigit(text.charCodeAt(j))) j++
  if (j === i || j - i > 9) return FastKind.Decline
  i = skipSpaces(text, j, end)
  if (text.charCodeAt(i) !== 58 /* : */ || text.charCodeAt(i + 1) !== SPACE) return FastKind.Decline
  const restAt = skipSpaces(text, i + 1, end)
  // `\s+` would take any other blank too; `<` and `k` may start a stack marker.
  const c0 = text.charCodeAt(restAt)
  if (restAt >= end || !isVisible(c0) || c0 === 60 /* < */ || c0 === 107 /* k */) return FastKind.Decline
  let nameEnd = restAt
  while (nameEnd < end && isNameChar(text.charCodeAt(nameEnd), nameEnd === restAt)) nameEnd++
  if (nameEnd === restAt || text.charCodeAt(nameEnd) !== 58 /* : */) return FastKind.Decline
  const known = knownName(text, restAt, nameEnd)
  if (known === undefined) return FastKind.Decline
  out.taskStart = taskStart
  out.taskEnd = pidEnd
  out.name = known.name
  out.nameIndex = known.index
  if (!plain && !allVisibleOrSpace(text, nameEnd + 1, end)) return FastKind.Decline
  return known.pageRef ? pageRefBody(text, nameEnd + 1, end, out) : fsDaxBody(text, nameEnd + 1, end, known.resultRequired)
}

function skipSpaces(text: string, i: number, end: number): number {
  while (i < end && text.charCodeAt(i) === SPACE) i++
  return i
}

function knownName(text: string, from: number, to: number): KnownName | undefined {
  const candidates = NAMES_BY_LENGTH[to - from]
  if (candidates === undefined) return undefined
  for (const k of candidates) if (text.startsWith(k.name, from)) return k
  return undefined
}

/**
 * `^\s*=>\s*(\S.*?)\s*$` for a line of printable ASCII: something other than spaces after the arrow.
 * The frame itself is not kept (nothing reads it on this path).
 */
function stackLine(text: string, i: number, end: number, plain: boolean): FastKind {
  if (text.charCodeAt(i + 1) !== 62 /* > */) return FastKind.Decline
  const from = skipSpaces(text, i + 2, end)
  if (from === end || (!plain && !allVisibleOrSpace(text, from, end))) return FastKind.Decline
  return FastKind.Stack
}

/**
 * events.ts keyValues + decodePageRef on a body of printable ASCII (checked by the caller): the last of a repeated key wins,
 * a word without `=` (or starting with it) is skipped; any field the decoder would refuse declines.
 */
function pageRefBody(text: string, i: number, end: number, out: FastLine): FastKind {
  let pfnAt = -1, pfnEnd = 0, countAt = -1, countEnd = 0, mapAt = -1, mapEnd = 0, valAt = -1, valEnd = 0, retAt = -1, retEnd = 0
  while (i < end) {
    const c = text.charCodeAt(i)
    if (c === SPACE) {
      i++
      continue
    }
    const from = i
    i = text.indexOf(' ', from)
    if (i < 0 || i > end) i = end
    // A key is the word's text before its first `=`: `pfn=` at the word's start is the key pfn.
    switch (c) {
      case 112: // p
        if (text.startsWith('pfn=', from)) {
          pfnAt = from + 4
          pfnEnd = i
        }
        break
      case 99: // c
        if (text.startsWith('count=', from)) {
          countAt = from + 6
          countEnd = i
        }
        break
      case 109: // m
        if (text.startsWith('mapcount=', from)) {
          mapAt = from + 9
          mapEnd = i
        }
        break
      case 118: // v
        if (text.startsWith('val=', from)) {
          valAt = from + 4
          valEnd = i
        }
        break
      case 114: // r
        if (text.startsWith('ret=', from)) {
          retAt = from + 4
          retEnd = i
        }
        break
    }
  }
  if (pfnAt < 0 || countAt < 0) return FastKind.Decline
  const pfn = integerIn(text, pfnAt, pfnEnd, true)
  const count = integerIn(text, countAt, countEnd)
  if (pfn === undefined || count === undefined) return FastKind.Decline
  const mapcount = mapAt < 0 ? undefined : integerIn(text, mapAt, mapEnd)
  const val = valAt < 0 ? undefined : integerIn(text, valAt, valEnd)
  const ret = retAt < 0 ? undefined : integerIn(text, retAt, retEnd)
  if ((mapAt >= 0 && mapcount === undefined) || (valAt >= 0 && val === undefined) || (retAt >= 0 && ret === undefined)) return FastKind.Decline
  out.pfn = pfn
  out.count = count
  out.mapcount = mapcount
  out.val = val
  out.ret = ret
  return FastKind.PageRef
}

/** `^[A-Z][A-Z_]*(?:\|[A-Z][A-Z_]*)*$` (events.ts RESULT_NAME) on text[from, to). */
/** Nothing but printable ASCII in text[from, to): no blank other than the space, no line break. */
function allVisibleOrSpace(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k)
    if (c < SPACE || c > 126) return false
  }
  return true
}

function isResultName(text: string, from: number, to: number): boolean {
  let first = true
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k)
    if (c >= 65 && c <= 90) first = false
    else if (c === 95 /* _ */ && !first) continue
    else if (c === 124 /* | */ && !first && k + 1 < to) first = true
    else return false
  }
  return !first
}

/** `^\d+:\d+$` on text[from, to). */
function isDevNumber(text: string, from: number, to: number): boolean {
  let k = from
  while (k < to && isDigit(text.charCodeAt(k))) k++
  if (k === from || k >= to || text.charCodeAt(k) !== 58) return false
  const minor = ++k
  while (k < to && isDigit(text.charCodeAt(k))) k++
  return k === to && k > minor
}

/**
 * What events.ts decodeFsDax needs to accept a body (printable ASCII, checked by the caller) that names no page: `dev MAJ:MIN`, a number after
 * the first `ino`, and for the done events a VM_FAULT result last that does not also stand at or
 * before the first `address` (decodeFsDax compares words.indexOf(last) with it).
 */
function fsDaxBody(text: string, i: number, end: number, resultRequired: boolean): FastKind {
  let n = 0
  while (i < end) {
    if (text.charCodeAt(i) === SPACE) {
      i++
      continue
    }
    if (n === MAX_WORDS) return FastKind.Decline
    wordStart[n] = i
    i = text.indexOf(' ', i)
    if (i < 0 || i > end) i = end
    wordEnd[n++] = i
  }
  if (n < 2 || !isWord(text, wordStart[0]!, wordEnd[0]!, 'dev') || !isDevNumber(text, wordStart[1]!, wordEnd[1]!)) return FastKind.Decline
  let inoAt = -1
  let addressAt = -1
  for (let w = 0; w < n; w++) {
    const from = wordStart[w]!
    const to = wordEnd[w]!
    if (isWord(text, from, to, 'pfn') || isWord(text, from, to, 'radix_entry') || isWord(text, from, to, 'xa_entry')) return FastKind.Decline
    if (inoAt < 0 && isWord(text, from, to, 'ino')) inoAt = w
    else if (addressAt < 0 && isWord(text, from, to, 'address')) addressAt = w
  }
  if (inoAt < 0 || inoAt + 1 >= n || integerIn(text, wordStart[inoAt + 1]!, wordEnd[inoAt + 1]!) === undefined) return FastKind.Decline
  if (resultRequired) {
    const lastFrom = wordStart[n - 1]!
    const lastTo = wordEnd[n - 1]!
    if (!isResultName(text, lastFrom, lastTo)) return FastKind.Decline
    const last = text.slice(lastFrom, lastTo)
    for (let w = 0; w <= addressAt; w++) if (isWord(text, wordStart[w]!, wordEnd[w]!, last)) return FastKind.Decline
  }
  return FastKind.FsDax
}
