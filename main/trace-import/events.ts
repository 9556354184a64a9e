/**
 * The bodies of the page_ref and fs_dax tracepoints, decoded from their TP_printk text.
 *
 * page_ref (include/trace/events/page_ref.h, since 4.6 "mm/page_ref: add tracepoint to track down page
 * reference manipulation"): class page_ref_mod_template prints
 *   `pfn=0x%lx flags=%s count=%d mapcount=%d mapping=%p mt=%d val=%d`
 * (page_ref_set, page_ref_mod, page_ref_unfreeze) and page_ref_mod_and_test_template adds ` ret=%d`
 * (page_ref_mod_and_test, page_ref_mod_and_return, page_ref_mod_unless, page_ref_freeze). `count` is the
 * value after the operation (include/linux/page_ref.h: the tracepoint fires after the atomic op), `val`
 * the signed delta (the count passed to page_ref_freeze), flags are names from show_page_flags() or hex
 * when the trace was read raw. The fields are read as key=value pairs so a version that adds or drops one (`mt`, `ret`) still parses;
 * only pfn and count are required.
 *
 * fs_dax (include/trace/events/fs_dax.h, since 4.11): the fault classes print
 *   `dev %d:%d ino %#lx shared|private FAULT_FLAGS address %#lx [vm_start %#lx vm_end %#lx] pgoff %#lx
 *    [max_pgoff %#lx] RESULT_FLAGS`
 * with VM_FAULT_RESULT_TRACE names (NOPAGE, FALLBACK, ...); dax_pmd_insert_mapping prints
 * `... length %#x pfn %#llx DEV|MAP radix_entry %#lx` (pfn_t flags, PFN_FLAGS_TRACE), dax_insert_mapping
 * `... address %#lx radix_entry %#lx`, dax_writeback_range `... pgoff %#lx-%#lx`, dax_writeback_one
 * `... pgoff %#lx pglen %#lx`. Keys are read wherever they appear; `xa_entry` is read like `radix_entry`.
 * The two insert events were left unused by c2436190e492 "fsdax: factor out a dax_fault_actor() helper"
 * (5.15) and later removed, so only older traces name pfns in fs_dax events (see pfn-ranges.ts).
 */
export const PAGE_REF_EVENTS = [
  'page_ref_set',
  'page_ref_mod',
  'page_ref_mod_and_test',
  'page_ref_mod_and_return',
  'page_ref_mod_unless',
  'page_ref_freeze',
  'page_ref_unfreeze',
] as const
export type PageRefEventName = (typeof PAGE_REF_EVENTS)[number]

export const FS_DAX_EVENTS = [
  'dax_pmd_fault',
  'dax_pmd_fault_done',
  'dax_pmd_load_hole',
  'dax_pmd_load_hole_fallback',
  'dax_pmd_insert_mapping',
  'dax_pte_fault',
  'dax_pte_fault_done',
  'dax_load_hole',
  'dax_insert_pfn_mkwrite_no_entry',
  'dax_insert_pfn_mkwrite',
  'dax_insert_mapping',
  'dax_writeback_range',
  'dax_writeback_range_done',
  'dax_writeback_one',
] as const
export type FsDaxEventName = (typeof FS_DAX_EVENTS)[number]

export interface PageRefEvent {
  readonly family: 'page_ref'
  readonly name: PageRefEventName
  readonly pfn: number
  readonly flags: string
  readonly count: number
  readonly mapcount: number | undefined
  readonly val: number | undefined
  readonly ret: number | undefined
}

export interface FsDaxEvent {
  readonly family: 'fs_dax'
  readonly name: FsDaxEventName
  readonly dev: string | undefined
  readonly ino: number | undefined
  readonly address: number | undefined
  readonly vmStart: number | undefined
  readonly vmEnd: number | undefined
  readonly pgoff: number | undefined
  readonly maxPgoff: number | undefined
  /** The pfn, from `pfn` (dax_pmd_insert_mapping) or decoded from `radix_entry` (dax_insert_mapping). */
  readonly pfn: number | undefined
  /** pfn_t flags (`DEV|MAP`) of dax_pmd_insert_mapping. */
  readonly pfnFlags: string | undefined
  /** VM_FAULT_* result names of the fault classes (`NOPAGE`, `FALLBACK|...`); undefined when not shown. */
  readonly result: readonly string[] | undefined
  /** `shared` or `private` (VM_SHARED of the VMA) where the event prints it; undefined otherwise. */
  readonly shared: boolean | undefined
  /** A write fault: `WRITE` in the fault flags (FAULT_FLAG_TRACE) or the insert events' `write`. */
  readonly write: boolean | undefined
}

export type DecodedEvent = PageRefEvent | FsDaxEvent
export type DecodeResult = { readonly ok: true; readonly event: DecodedEvent } | { readonly ok: false; readonly reason: string }

const PAGE_REF_SET: ReadonlySet<string> = new Set(PAGE_REF_EVENTS)
const FS_DAX_SET: ReadonlySet<string> = new Set(FS_DAX_EVENTS)

export function isKnownEvent(name: string): boolean {
  return PAGE_REF_SET.has(name) || FS_DAX_SET.has(name)
}

/** Value of hex digit `c`, or -1. */
function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  const l = c | 32 // ASCII lower case
  return l >= 97 && l <= 102 ? l - 87 : -1
}

/** Digits of `text[from, to)` in `base` (10 or 16) as a number; NaN when one is not a digit of it or there is none. */
function digits(text: string, from: number, to: number, base: 10 | 16): number {
  if (from >= to) return Number.NaN
  let n = 0
  for (let i = from; i < to; i++) {
    const d = hexDigit(text.charCodeAt(i))
    if (d < 0 || d >= base) return Number.NaN
    n = n * base + d
  }
  return n
}

function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000
}

/**
 * A C integer as printed by %d, %#lx, %lx or %p (hex without 0x only where the field is hex): a
 * decimal with an optional sign, or 0x and hex digits; undefined for anything else or past 2^53.
 * Scanned by hand, no regex: four of these run on every page_ref line of a gigabyte log.
 */
export function integer(text: string | undefined, hex = false): number | undefined {
  if (text === undefined) return undefined
  let from = 0
  let to = text.length
  while (from < to && isBlank(text.charCodeAt(from))) from++
  while (to > from && isBlank(text.charCodeAt(to - 1))) to--
  return integerIn(text, from, to, hex)
}

/**
 * integer() of `text[from, to)`, which holds no blank: the importer's fast path (fast-line.ts) reads
 * its fields in place, without a string per field.
 */
export function integerIn(text: string, from: number, to: number, hex = false): number | undefined {
  if (from >= to) return undefined
  let n: number
  const c = text.charCodeAt(from)
  if (c === 48 /* 0 */ && from + 1 < to && (text.charCodeAt(from + 1) | 32) === 120 /* x */) n = digits(text, from + 2, to, 16)
  else if (!hex) {
    const sign = c === 45 /* - */ ? -1 : 1
    n = sign * digits(text, c === 43 || c === 45 ? from + 1 : from, to, 10)
  } else n = digits(text, from, to, 16)
  return Number.isSafeInteger(n) ? n : undefined
}

/** The page_ref body's fields the decoder reads (undefined: absent; an empty value is present). */
interface PageRefFields {
  pfn: string | undefined
  flags: string | undefined
  count: string | undefined
  mapcount: string | undefined
  val: string | undefined
  ret: string | undefined
}

/**
 * `key=value` words of a page_ref body (the hot path of an import: an indexOf scan, no regex, no map;
 * only the keys the decoder reads are kept, the last of a repeated key wins). A word without `=` (the
 * `(null)` of a 4.x `mapping=          (null)`) is skipped.
 */
function keyValues(body: string): PageRefFields {
  const f: PageRefFields = { pfn: undefined, flags: undefined, count: undefined, mapcount: undefined, val: undefined, ret: undefined }
  const n = body.length
  let i = 0
  while (i < n) {
    while (i < n && body.charCodeAt(i) === 32) i++
    let end = body.indexOf(' ', i)
    if (end < 0) end = n
    const eq = body.indexOf('=', i)
    if (eq > i && eq < end) {
      const len = eq - i
      switch (body.charCodeAt(i)) {
        case 112: // p
          if (len === 3 && body.startsWith('pfn', i)) f.pfn = body.slice(eq + 1, end)
          break
        case 102: // f
          if (len === 5 && body.startsWith('flags', i)) f.flags = body.slice(eq + 1, end)
          break
        case 99: // c
          if (len === 5 && body.startsWith('count', i)) f.count = body.slice(eq + 1, end)
          break
        case 109: // m
          if (len === 8 && body.startsWith('mapcount', i)) f.mapcount = body.slice(eq + 1, end)
          break
        case 118: // v
          if (len === 3 && body.startsWith('val', i)) f.val = body.slice(eq + 1, end)
          break
        case 114: // r
          if (len === 3 && body.startsWith('ret', i)) f.ret = body.slice(eq + 1, end)
          break
      }
    }
    i = end + 1
  }
  return f
}

function decodePageRef(name: PageRefEventName, body: string): DecodeResult {
  const fields = keyValues(body)
  const pfn = integer(fields.pfn, true)
  if (pfn === undefined) return { ok: false, reason: `${name}: ${fields.pfn !== undefined ? `pfn '${fields.pfn}' is not a hex number` : 'no pfn= field'}` }
  if (fields.count === undefined) return { ok: false, reason: `${name}: no count= field (truncated line?)` }
  const count = integer(fields.count)
  if (count === undefined) return { ok: false, reason: `${name}: count '${fields.count}' is not a number` }
  const mapcount = integer(fields.mapcount)
  const val = integer(fields.val)
  const ret = integer(fields.ret)
  const bad = fields.mapcount !== undefined && mapcount === undefined ? 'mapcount' : fields.val !== undefined && val === undefined ? 'val' : fields.ret !== undefined && ret === undefined ? 'ret' : undefined
  if (bad !== undefined) return { ok: false, reason: `${name}: ${bad} '${fields[bad]}' is not a number (truncated line?)` }
  return { ok: true, event: { family: 'page_ref', name, pfn, flags: fields.flags ?? '', count, mapcount, val, ret } }
}

/** fs/dax.c dax_to_pfn(): xa_to_value(entry) >> DAX_SHIFT, DAX_SHIFT 4 (xarray DAX entries, 4.20+). */
function pfnOfDaxEntry(raw: number): number | undefined {
  if (raw % 2 !== 1) return undefined // not an xarray value entry
  return Math.floor(raw / 32)
}

const RESULT_NAME = /^[A-Z][A-Z_]*(?:\|[A-Z][A-Z_]*)*$/

/** Names of the fault classes, which print VM_FAULT result names last; and those that must (the done events). */
const FAULT_CLASS: ReadonlySet<string> = new Set(FS_DAX_EVENTS.filter((n) => /fault|load_hole$|mkwrite/.test(n) && n !== 'dax_pmd_load_hole'))
export const RESULT_REQUIRED: ReadonlySet<string> = new Set(FS_DAX_EVENTS.filter((n) => n.endsWith('_done') && n.includes('fault')))
/** Whitespace other than the space: such a body is split by the regex, every other one by ' '. */
const OTHER_BLANK = /[^\S ]/
const KEYS_AFTER = ['ino', 'address', 'vm_start', 'vm_end', 'pgoff', 'max_pgoff', 'pfn', 'radix_entry', 'xa_entry'] as const
type KeyAfter = (typeof KEYS_AFTER)[number]
const KEY_SLOT: ReadonlyMap<string, number> = new Map(KEYS_AFTER.map((k, i) => [k, i]))
/** Index of the first occurrence of each key in the words of the body being decoded (-1: absent); reused. */
const keyAt = new Int32Array(KEYS_AFTER.length)

/** The word after the first occurrence of `key`, as indexOf(key) + 1 would find it. */
function wordAfter(words: readonly string[], key: KeyAfter): string | undefined {
  const i = keyAt[KEY_SLOT.get(key)!]!
  return i >= 0 ? words[i + 1] : undefined
}

/** The words of a body separated by spaces only (what split(' ') keeps after dropping empty words). */
function spaceWords(body: string): string[] {
  const words: string[] = []
  let start = -1
  for (let i = 0; i <= body.length; i++) {
    const space = i === body.length || body.charCodeAt(i) === 32
    if (space) {
      if (start >= 0) words.push(body.slice(start, i))
      start = -1
    } else if (start < 0) start = i
  }
  return words
}

function decodeFsDax(name: FsDaxEventName, body: string): DecodeResult {
  const words = OTHER_BLANK.test(body) ? body.split(/\s+/).filter((w) => w.length > 0) : spaceWords(body)
  // One pass: the first occurrence of each key, and of `shared`/`private`.
  keyAt.fill(-1)
  let mode = -1
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    const slot = KEY_SLOT.get(w)
    if (slot !== undefined) {
      if (keyAt[slot] === -1) keyAt[slot] = i
    } else if (mode < 0 && (w === 'shared' || w === 'private')) mode = i
  }
  const addressAt = keyAt[KEY_SLOT.get('address')!]!
  const pfnAt = keyAt[KEY_SLOT.get('pfn')!]!
  // 4.11's dax_pmd_insert_mapping printed no dev/ino (`shared mapping write address ...`).
  const hasDev = words[0] === 'dev' && words[1] !== undefined && /^\d+:\d+$/.test(words[1])
  if (!hasDev && addressAt < 0) return { ok: false, reason: `${name}: neither 'dev MAJOR:MINOR' nor an address (truncated line?)` }
  const ino = integer(wordAfter(words, 'ino'))
  if (hasDev && ino === undefined) return { ok: false, reason: `${name}: no ino (truncated line?)` }
  const pgoffText = wordAfter(words, 'pgoff')
  const pgoff = integer(pgoffText?.split('-')[0])
  let pfn = integer(wordAfter(words, 'pfn'))
  const entry = integer(wordAfter(words, 'radix_entry') ?? wordAfter(words, 'xa_entry'))
  if (pfn === undefined && name === 'dax_insert_mapping' && entry !== undefined) pfn = pfnOfDaxEntry(entry)
  const flagsWord = pfnAt >= 0 ? words[pfnAt + 2] : undefined
  const pfnFlags = flagsWord !== undefined && RESULT_NAME.test(flagsWord) ? flagsWord : undefined
  const last = words[words.length - 1]!
  const result = FAULT_CLASS.has(name) && RESULT_NAME.test(last) && words.indexOf(last) > addressAt ? last.split('|') : undefined
  if (RESULT_REQUIRED.has(name) && result === undefined) return { ok: false, reason: `${name}: no VM_FAULT result at the end (truncated line?)` }
  // `%s %s` after the inode: "shared"/"private", then the FAULT_FLAG_TRACE names (or "write"/"read").
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
      address: integer(wordAfter(words, 'address')),
      vmStart: integer(wordAfter(words, 'vm_start')),
      vmEnd: integer(wordAfter(words, 'vm_end')),
      pgoff,
      maxPgoff: integer(wordAfter(words, 'max_pgoff')),
      pfn,
      pfnFlags,
      result,
      shared,
      write,
    },
  }
}

/** Decodes a known event's body; unknown names are the caller's to report. */
export function decodeEvent(name: string, body: string): DecodeResult {
  if (PAGE_REF_SET.has(name)) return decodePageRef(name as PageRefEventName, body)
  if (FS_DAX_SET.has(name)) return decodeFsDax(name as FsDaxEventName, body)
  return { ok: false, reason: `unknown event '${name}' (only page_ref and fs_dax events are imported)` }
}
