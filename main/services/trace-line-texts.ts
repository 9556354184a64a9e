/**
 * The text of some lines of a trace file (its findings' lines, 1-based as the importer counts them:
 * split at `\n` only, a CR before it dropped), read back as a stream so a file of any size costs a
 * 64 KiB buffer: plain text or gzip; an xz file's findings carry no text (its decoder is the import's).
 * Reading stops after the last line wanted. A file that cannot be read gives the texts found so far.
 * Node layer, no electron.
 */
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'

/** Characters of a finding's line shown (a trace line is short; a garbage one is cut). */
export const LINE_TEXT_CHARS = 500
/** Bytes kept of one line: enough for LINE_TEXT_CHARS characters of UTF-8. */
const LINE_TEXT_BYTES = LINE_TEXT_CHARS * 4

async function head(path: string): Promise<Buffer> {
  const file = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(6)
    const { bytesRead } = await file.read(buffer, 0, 6, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await file.close()
  }
}

function text(parts: readonly Buffer[]): string {
  return Buffer.concat(parts).toString('utf8').replace(/\r$/, '').slice(0, LINE_TEXT_CHARS)
}

export async function lineTextsOfFile(path: string, wanted: ReadonlySet<number>): Promise<Map<number, string>> {
  const out = new Map<number, string>()
  if (wanted.size === 0) return out
  const magic = await head(path).catch(() => Buffer.alloc(0))
  if (magic[0] === 0xfd && magic[1] === 0x37) return out // xz
  const raw = createReadStream(path, { highWaterMark: 64 << 10 })
  const source: Readable = magic[0] === 0x1f && magic[1] === 0x8b ? raw.pipe(createGunzip()) : raw
  const last = Math.max(...wanted)
  let line = 1
  let current: Buffer[] | undefined = wanted.has(1) ? [] : undefined
  let kept = 0
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      for (let start = 0; ; ) {
        const nl = chunk.indexOf(10, start)
        const end = nl < 0 ? chunk.length : nl
        if (current && kept < LINE_TEXT_BYTES && end > start) {
          // A copy: the stream reuses nothing, but a subarray would pin the whole 64 KiB chunk.
          const part = Buffer.from(chunk.subarray(start, Math.min(end, start + LINE_TEXT_BYTES - kept)))
          current.push(part)
          kept += part.length
        }
        if (nl < 0) break
        if (current) out.set(line, text(current))
        if (++line > last) return out
        current = wanted.has(line) ? [] : undefined
        kept = 0
        start = nl + 1
      }
    }
    if (current && current.length > 0) out.set(line, text(current))
  } catch {
    // A corrupt gzip tail: the import reported it already; the lines read so far keep their text.
  } finally {
    raw.destroy()
  }
  return out
}
