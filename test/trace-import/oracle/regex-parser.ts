/**
 * The first increment's regex parser (main/trace-import/line.ts and events.ts before the hand-written
 * fast paths), kept unchanged as the oracle test/trace-import/fast-paths.test.ts holds them to: the
 * fast paths must give the same result for every line.
 */
import { FS_DAX_EVENTS, PAGE_REF_EVENTS, type DecodeResult, type FsDaxEventName, type PageRefEventName } from '../../../main/trace-import/events'
import { MAX_LINE_CHARS, type LineResult } from '../../../main/trace-import/line'

const PAGE_REF_SET: ReadonlySet<string> = new Set(PAGE_REF_EVENTS)
const FS_DAX_SET: ReadonlySet<string> = new Set(FS_DAX_EVENTS)

const HEAD =
  /^\s*(?<task>.+?)-(?<pid>\d+)\s+(?:\(\s*[\d-]+\)\s+)?(?:\[(?<cpu>\d+)\]\s+(?:(?<flags>[^\s\d][^\s]{2,6})\s+)?|(?<lcpu>\d+)(?<lflags>[^\s\d][^\s]{2,6})\s+)(?:(?<sec>\d+)\.(?<frac>\d{1,9})|(?<us>\d+(?:\.\d+)?)us\s*[+!#*@$]?)\s*:\s+(?<rest>.*)$/
const EVENT = /^(?<event>[A-Za-z_][\w]*):\s?(?<body>.*)$/
const STACK = /^\s*=>\s*(?<frame>\S.*?)\s*$/
const PREAMBLE = /^(?:#|cpus=\d+\s*$|version\s*=|CPU\s*\d+ is empty|CPU:\d+ \[LOST|\s*$)/

export function parseLineOracle(text: string): LineResult {
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

/** A C integer as printed by %d, %#lx, %lx or %p (hex without 0x only where the field is hex). */
function integer(text: string | undefined, hex = false): number | undefined {
  if (text === undefined) return undefined
  const t = text.trim()
  let n: number
  if (/^[+-]?\d+$/.test(t) && !hex) n = Number(t)
  else if (/^0x[0-9a-f]+$/i.test(t)) n = Number.parseInt(t.slice(2), 16)
  else if (hex && /^[0-9a-f]+$/i.test(t)) n = Number.parseInt(t, 16)
  else return undefined
  return Number.isSafeInteger(n) ? n : undefined
}

/**
 * `key=value` words of a page_ref body (the hot path of an import: an indexOf scan, no regex). A word
 * without `=` (the `(null)` of a 4.x `mapping=          (null)`) is skipped.
 */
function keyValues(body: string): Map<string, string> {
  const fields = new Map<string, string>()
  const n = body.length
  let i = 0
  while (i < n) {
    while (i < n && body.charCodeAt(i) === 32) i++
    let end = body.indexOf(' ', i)
    if (end < 0) end = n
    const eq = body.indexOf('=', i)
    if (eq > i && eq < end) fields.set(body.slice(i, eq), body.slice(eq + 1, end))
    i = end + 1
  }
  return fields
}

function decodePageRef(name: PageRefEventName, body: string): DecodeResult {
  const fields = keyValues(body)
  const pfn = integer(fields.get('pfn'), true)
  if (pfn === undefined) return { ok: false, reason: `${name}: ${fields.has('pfn') ? `pfn '${fields.get('pfn')}' is not a hex number` : 'no pfn= field'}` }
  if (!fields.has('count')) return { ok: false, reason: `${name}: no count= field (truncated line?)` }
  const count = integer(fields.get('count'))
  if (count === undefined) return { ok: false, reason: `${name}: count '${fields.get('count')}' is not a number` }
  for (const key of ['mapcount', 'val', 'ret'] as const) {
    if (fields.has(key) && integer(fields.get(key)) === undefined) return { ok: false, reason: `${name}: ${key} '${fields.get(key)}' is not a number (truncated line?)` }
  }
  return {
    ok: true,
    event: { family: 'page_ref', name, pfn, flags: fields.get('flags') ?? '', count, mapcount: integer(fields.get('mapcount')), val: integer(fields.get('val')), ret: integer(fields.get('ret')) },
  }
}

/** fs/dax.c dax_to_pfn(): xa_to_value(entry) >> DAX_SHIFT, DAX_SHIFT 4 (xarray DAX entries, 4.20+). */
function pfnOfDaxEntry(raw: number): number | undefined {
  if (raw % 2 !== 1) return undefined // not an xarray value entry
  return Math.floor(raw / 32)
}

const RESULT_NAME = /^[A-Z][A-Z_]*(?:\|[A-Z][A-Z_]*)*$/

function decodeFsDax(name: FsDaxEventName, body: string): DecodeResult {
  const words = body.split(/\s+/).filter((w) => w.length > 0)
  const after = (key: string): string | undefined => {
    const i = words.indexOf(key)
    return i >= 0 ? words[i + 1] : undefined
  }
  // 4.11's dax_pmd_insert_mapping printed no dev/ino (`shared mapping write address ...`).
  const hasDev = words[0] === 'dev' && words[1] !== undefined && /^\d+:\d+$/.test(words[1])
  if (!hasDev && !words.includes('address')) return { ok: false, reason: `${name}: neither 'dev MAJOR:MINOR' nor an address (truncated line?)` }
  const ino = integer(after('ino'))
  if (hasDev && ino === undefined) return { ok: false, reason: `${name}: no ino (truncated line?)` }
  const pgoffText = after('pgoff')
  const pgoff = integer(pgoffText?.split('-')[0])
  let pfn = integer(after('pfn'))
  const entry = integer(after('radix_entry') ?? after('xa_entry'))
  if (pfn === undefined && name === 'dax_insert_mapping' && entry !== undefined) pfn = pfnOfDaxEntry(entry)
  const pfnAt = words.indexOf('pfn')
  const flagsWord = pfnAt >= 0 ? words[pfnAt + 2] : undefined
  const pfnFlags = flagsWord !== undefined && RESULT_NAME.test(flagsWord) ? flagsWord : undefined
  const isFault = /fault|load_hole$|mkwrite/.test(name) && name !== 'dax_pmd_load_hole'
  const last = words[words.length - 1]!
  const result = isFault && RESULT_NAME.test(last) && words.indexOf(last) > words.indexOf('address') ? last.split('|') : undefined
  if (name.endsWith('_done') && name.includes('fault') && result === undefined) return { ok: false, reason: `${name}: no VM_FAULT result at the end (truncated line?)` }
  // `%s %s` after the inode: "shared"/"private", then the FAULT_FLAG_TRACE names (or "write"/"read").
  const mode = words.findIndex((w) => w === 'shared' || w === 'private')
  const shared = mode >= 0 ? words[mode] === 'shared' : undefined
  // 4.11's insert event printed `shared mapping write`.
  const accessWord = mode >= 0 ? words[words[mode + 1] === 'mapping' ? mode + 2 : mode + 1] : undefined
  const write = accessWord === undefined ? undefined : accessWord === 'write' || accessWord.split('|').includes('WRITE')
  return {
    ok: true,
    event: {
      family: 'fs_dax',
      name,
      dev: hasDev ? words[1] : undefined,
      ino,
      address: integer(after('address')),
      vmStart: integer(after('vm_start')),
      vmEnd: integer(after('vm_end')),
      pgoff,
      maxPgoff: integer(after('max_pgoff')),
      pfn,
      pfnFlags,
      result,
      shared,
      write,
    },
  }
}

/** Decodes a known event's body; unknown names are the caller's to report. */
export function decodeEventOracle(name: string, body: string): DecodeResult {
  if (PAGE_REF_SET.has(name)) return decodePageRef(name as PageRefEventName, body)
  if (FS_DAX_SET.has(name)) return decodeFsDax(name as FsDaxEventName, body)
  return { ok: false, reason: `unknown event '${name}' (only page_ref and fs_dax events are imported)` }
}
