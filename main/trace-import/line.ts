/**
 * One line of ftrace text output, split into its header (task, pid, cpu, irq/preempt flags, timestamp)
 * and the event name and body. Pure: the CLI and the app share it.
 *
 * Accepted shapes (kernel/trace/trace_output.c: trace_print_context, trace_print_lat_context;
 * trace-cmd's report output follows the same columns):
 *   tracefs `trace` / `trace_pipe`:  `  <idle>-0     [003] d..2.  1234.567890: page_ref_mod: pfn=...`
 *   with the tgid column:            `  bash-812  (  812) [001] ....  1234.567890: ...`
 *   irq-info off / trace-cmd report: `  bash-812  [001]  1234.567890: page_ref_mod:   pfn=...`
 *   latency format:                  `  bash-812    1d..2  123us : page_ref_mod: pfn=...` (`+`/`!` marks)
 * The irq/preempt column is 4 characters before 5.14 and 5 or more after (preempt-lazy and migrate-disable
 * digits were added), so any run of flag characters is taken.
 */
export type LineResult =
  | { readonly kind: 'event'; readonly task: string; readonly pid: number; readonly cpu: number | undefined; readonly timeUs: number; readonly event: string; readonly body: string }
  /** ` => fn (addr)` or `=> fn`: a stack frame of the event above. */
  | { readonly kind: 'stack'; readonly frame: string }
  /** A comment, blank line, trace-cmd preamble or stack-trace marker: nothing to import, nothing wrong. */
  | { readonly kind: 'ignored' }
  | { readonly kind: 'bad'; readonly reason: string }

/** Longest line considered: a longer one is a wrapped or binary line, reported rather than scanned. */
export const MAX_LINE_CHARS = 8192

/**
 * The columns before the event name, up to the `: ` after the timestamp. Numbered groups, and the rest
 * of the line is not captured: this runs once per line of a gigabyte log (named groups and a captured
 * tail cost an object and a copy per line). Groups: 1 task, 2 pid, 3 cpu, 4 latency cpu, 5 seconds,
 * 6 fraction, 7 latency microseconds.
 */
const HEAD =
  /^\s*(.+?)-(\d+)\s+(?:\(\s*[\d-]+\)\s+)?(?:\[(\d+)\]\s+(?:[^\s\d][^\s]{2,6}\s+)?|(\d+)[^\s\d][^\s]{2,6}\s+)(?:(\d+)\.(\d{1,9})|(\d+(?:\.\d+)?)us\s*[+!#*@$]?)\s*:\s+/
const STACK = /^\s*=>\s*(\S.*?)\s*$/
const PREAMBLE = /^(?:#|cpus=\d+\s*$|version\s*=|CPU\s*\d+ is empty|CPU:\d+ \[LOST|\s*$)/
/** A line break inside the text after the columns (a CR mid-line, U+2028/9): not one trace line. */
const BREAK_IN_REST = /[\r\u2028\u2029]/g
const STACK_MARKER = /^(?:kernel_stack:\s*)?<stack trace ?>\s*$|^kernel_stack:/

/** An event name's characters: [A-Za-z0-9_], not starting with a digit. */
function isNameChar(c: number, first: boolean): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (!first && c >= 48 && c <= 57)
}

const SPACE = 32
const TAB = 9

/**
 * `SEC.FRAC` seconds (1 to 9 fraction digits) in microseconds, sub-microsecond digits as a fraction:
 * digits summed by hand (this runs per line), the same value as
 * `Number(sec) * 1e6 + Number(frac.padEnd(6, '0').slice(0, 6)) + Number('0.' + (frac.slice(6) || '0'))`.
 */
function secondsToUs(sec: string, frac: string): number {
  let us = 0
  for (let i = 0; i < 6; i++) us = us * 10 + (i < frac.length ? frac.charCodeAt(i) - 48 : 0)
  const sub = frac.length > 6 ? Number('0.' + frac.slice(6)) : 0
  return Number(sec) * 1e6 + us + sub
}

export function parseLine(text: string): LineResult {
  if (text.length > MAX_LINE_CHARS) return { kind: 'bad', reason: `line longer than ${MAX_LINE_CHARS} characters (wrapped or not text)` }
  // Skip the spaces and tabs that start most lines: what follows decides which regexes can match.
  let first = 0
  while (text.charCodeAt(first) === SPACE || text.charCodeAt(first) === TAB) first++
  const next = text.charCodeAt(first)
  // Other whitespace (a control or non-ASCII character) may follow: then every regex runs as before.
  const odd = next <= SPACE || next >= 0x80
  // After blanks only PREAMBLE's blank-line branch (\s*$) can match.
  if ((first === 0 || first === text.length || odd) && PREAMBLE.test(text)) return { kind: 'ignored' }
  // Only a line whose first non-blank characters are `=>` can be a stack frame.
  if ((next === 61 /* = */ && text.charCodeAt(first + 1) === 62) /* > */ || odd) {
    const stack = STACK.exec(text)
    if (stack) return { kind: 'stack', frame: stack[1]! }
  }
  const g = HEAD.exec(text)
  if (!g) return { kind: 'bad', reason: 'not a trace event line (no task-pid, cpu and timestamp columns)' }
  const restAt = g[0].length
  BREAK_IN_REST.lastIndex = restAt
  if (BREAK_IN_REST.test(text)) return { kind: 'bad', reason: 'not a trace event line (no task-pid, cpu and timestamp columns)' }
  // trace_stack_print / trace-cmd's kernel_stack: the frames follow on ` => ` lines.
  const c0 = text.charCodeAt(restAt)
  if ((c0 === 60 /* < */ || c0 === 107 /* k */) && STACK_MARKER.test(text.slice(restAt))) return { kind: 'ignored' }
  // `name:` then at most one blank before the body (the body is trimmed anyway).
  let end = restAt
  while (end < text.length && isNameChar(text.charCodeAt(end), end === restAt)) end++
  if (end === restAt || text.charCodeAt(end) !== 58 /* : */) return { kind: 'bad', reason: 'no event name after the timestamp (truncated line?)' }
  const sec = g[5]
  const timeUs = sec === undefined ? Number(g[7]) : secondsToUs(sec, g[6]!)
  const cpu = g[3] ?? g[4]
  return { kind: 'event', task: g[1]!.trim(), pid: Number(g[2]), cpu: cpu === undefined ? undefined : Number(cpu), timeUs, event: text.slice(restAt, end), body: text.slice(end + 1).trim() }
}
