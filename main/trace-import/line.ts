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

const HEAD =
  /^\s*(?<task>.+?)-(?<pid>\d+)\s+(?:\(\s*[\d-]+\)\s+)?(?:\[(?<cpu>\d+)\]\s+(?:(?<flags>[^\s\d][^\s]{2,6})\s+)?|(?<lcpu>\d+)(?<lflags>[^\s\d][^\s]{2,6})\s+)(?:(?<sec>\d+)\.(?<frac>\d{1,9})|(?<us>\d+(?:\.\d+)?)us\s*[+!#*@$]?)\s*:\s+(?<rest>.*)$/
const EVENT = /^(?<event>[A-Za-z_][\w]*):\s?(?<body>.*)$/
const STACK = /^\s*=>\s*(?<frame>\S.*?)\s*$/
const PREAMBLE = /^(?:#|cpus=\d+\s*$|version\s*=|CPU\s*\d+ is empty|CPU:\d+ \[LOST|\s*$)/

export function parseLine(text: string): LineResult {
  if (text.length > MAX_LINE_CHARS) return { kind: 'bad', reason: `line longer than ${MAX_LINE_CHARS} characters (wrapped or not text)` }
  if (PREAMBLE.test(text)) return { kind: 'ignored' }
  const stack = STACK.exec(text)
  if (stack) return { kind: 'stack', frame: stack.groups!.frame! }
  const head = HEAD.exec(text)
  if (!head) return { kind: 'bad', reason: 'not a trace event line (no task-pid, cpu and timestamp columns)' }
  const g = head.groups!
  const rest = g.rest!.trimEnd()
  // trace_stack_print / trace-cmd's kernel_stack: the frames follow on ` => ` lines.
  if (/^(?:kernel_stack:\s*)?<stack trace ?>$/.test(rest) || /^kernel_stack:/.test(rest)) return { kind: 'ignored' }
  const ev = EVENT.exec(rest)
  if (!ev) return { kind: 'bad', reason: 'no event name after the timestamp (truncated line?)' }
  const timeUs = g.us !== undefined ? Number(g.us) : Number(g.sec) * 1e6 + Number(g.frac!.padEnd(6, '0').slice(0, 6)) + Number('0.' + (g.frac!.slice(6) || '0'))
  const cpu = g.cpu ?? g.lcpu
  return { kind: 'event', task: g.task!.trim(), pid: Number(g.pid), cpu: cpu === undefined ? undefined : Number(cpu), timeUs, event: ev.groups!.event!, body: ev.groups!.body!.trim() }
}
