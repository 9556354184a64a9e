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
export function decodeEvent(name: string, body: string): DecodeResult {
  if (PAGE_REF_SET.has(name)) return decodePageRef(name as PageRefEventName, body)
  if (FS_DAX_SET.has(name)) return decodeFsDax(name as FsDaxEventName, body)
  return { ok: false, reason: `unknown event '${name}' (only page_ref and fs_dax events are imported)` }
}
