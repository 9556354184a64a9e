/**
 * A generated tracefs log of page_ref and fs_dax events, as large as asked, for the import bench and
 * the bounded-memory test. Synthetic, written from the TP_printk formats (docs/trace-import.md): per
 * pfn a PTE fault with its 6.15+ mapping reference, a GUP pin and unpin, and the put that takes the
 * page back to its idle count 0, with a stack under every pin, so the log is consistent on 6.17 and
 * every line takes the importer's full path (no skipped lines).
 */
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { createGzip } from 'node:zlib'

export interface TraceLogOptions {
  /** Bytes of text to write at least (the last cycle completes). */
  readonly bytes: number
  /** Distinct pfns the cycles go round (memory of the import grows with them, not with the text). */
  readonly pfns?: number
  readonly gzip?: boolean
}

export interface TraceLog {
  readonly bytes: number
  readonly lines: number
  readonly pageRefLines: number
  readonly pfns: number
}

const FIRST_PFN = 0x100000

/** One pfn's cycle: fault with its mapping reference, pin, unpin, a transient get/put, the unmap's put (12 lines). */
function cycle(i: number, pfns: number, t: number): string {
  const pfn = (FIRST_PFN + (i % pfns)).toString(16)
  const pgoff = (i % pfns).toString(16)
  const task = `fio-${2000 + (i % 8)}`
  const cpu = `[00${i % 4}]`
  const ts = (k: number): string => (t + k / 1e6).toFixed(6)
  const addr = (0x7f0000000000 + (i % pfns) * 4096).toString(16)
  const fault = `dev 259:0 ino 0x${(12 + (i % 4)).toString(16)} shared WRITE|ALLOW_RETRY|KILLABLE|USER address 0x${addr} pgoff 0x${pgoff}`
  const ref = (k: number, name: string, count: number, mapcount: number, val: number, ret?: number): string =>
    `  ${task}  ${cpu} ...1.  ${ts(k)}: ${name}: pfn=0x${pfn} flags=referenced|uptodate|lru count=${count} mapcount=${mapcount} mapping=00000000a1b2c3d4 mt=4 val=${val}${ret === undefined ? '' : ` ret=${ret}`}\n`
  return (
    `  ${task}  ${cpu} .....  ${ts(0)}: dax_pte_fault: ${fault} NOPAGE\n` +
    ref(1, 'page_ref_mod', 1, 1, 1) +
    `  ${task}  ${cpu} .....  ${ts(2)}: dax_pte_fault_done: ${fault} NOPAGE\n` +
    ref(3, 'page_ref_mod', 1025, 1, 1024) +
    ' => try_grab_folio (ffffffff8b2a1c20)\n' +
    ' => follow_page_mask (ffffffff8b2a3f10)\n' +
    ' => __get_user_pages (ffffffff8b2a4400)\n' +
    ref(4, 'page_ref_mod_and_test', 1, 1, -1024, 0) +
    ref(5, 'page_ref_mod', 2, 1, 1) +
    ref(6, 'page_ref_mod_and_test', 1, 1, -1, 0) +
    ref(7, 'page_ref_mod_and_test', 0, 0, -1, 1) +
    `  ${task}  ${cpu} .....  ${ts(8)}: dax_writeback_one: dev 259:0 ino 0xc pgoff 0x${pgoff} pglen 0x1\n`
  )
}

const LINES_PER_CYCLE = 12
const PAGE_REF_PER_CYCLE = 6

/** Writes the log to `file` (gzip when asked) and says what it holds. */
export async function writeTraceLog(file: string, options: TraceLogOptions): Promise<TraceLog> {
  const pfns = options.pfns ?? 4096
  const out = createWriteStream(file)
  const gz = options.gzip ? createGzip({ level: 1 }) : undefined
  if (gz) gz.pipe(out)
  const sink = gz ?? out
  let bytes = 0
  let cycles = 0
  while (bytes < options.bytes) {
    let chunk = ''
    for (let k = 0; k < 256 && bytes + chunk.length < options.bytes; k++, cycles++) chunk += cycle(cycles, pfns, 1000 + cycles / 1000)
    bytes += chunk.length
    if (!sink.write(chunk)) await once(sink, 'drain')
  }
  sink.end()
  await once(out, 'close')
  return { bytes, lines: cycles * LINES_PER_CYCLE, pageRefLines: cycles * PAGE_REF_PER_CYCLE, pfns: Math.min(pfns, cycles) }
}
