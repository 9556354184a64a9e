/**
 * Streams a trace file into a TraceImporter: 64 KiB reads (1 MiB reads measured ~1.7x slower and
 * ~2x the RSS: every line is a slice that pins its whole chunk string until collected), gzip and xz
 * (by their magic bytes, not the name) decompressed on the way, so memory does not grow with the file:
 * gzip with node:zlib, xz with xz-decompress (xz-embedded built to WebAssembly, a web stream pulled
 * chunk by chunk; docs/adr/0011). Progress (compressed bytes read, rate) on stderr for files over 64 MiB.
 */
import { isAscii } from 'node:buffer'
import { closeSync, createReadStream, existsSync, openSync, readSync, statSync } from 'node:fs'
import { Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { createGunzip } from 'node:zlib'
import type * as XzDecompress from 'xz-decompress'
import { FormatError } from '../formats/errors'
import type { ImportSummary, TraceImporter } from '../trace-import/importer'

const GZIP_MAGIC = [0x1f, 0x8b]
const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]
const PROGRESS_MIN_BYTES = 64 << 20
const READ_BYTES = 64 << 10

function startsWith(head: Buffer, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b)
}

function fileHead(path: string): Buffer {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(8)
    const n = readSync(fd, head, 0, 8, 0)
    return head.subarray(0, n)
  } finally {
    closeSync(fd)
  }
}

/**
 * fast-line.ts isPlainText() of the text these bytes decode to, by native scans of the bytes (the
 * regex on the decoded string cost ~10% of an import). `after` is whether the previous chunk was
 * ASCII: if not, the decoder may hold a partial character that this chunk's text starts with.
 */
export function isPlainBytes(bytes: Uint8Array, after: boolean): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return after && isAscii(b) && b.indexOf(9) < 0 && b.indexOf(11) < 0 && b.indexOf(12) < 0 && b.indexOf(13) < 0
}

/** Rate line like `daxlab import-trace: 512.0 MiB of 1024.0 MiB (97.3 MB/s)`. */
function progress(label: string, total: number): (done: number) => void {
  const started = Date.now()
  let lastAt = 0
  const tty = process.stderr.isTTY === true
  return (done) => {
    if (total < PROGRESS_MIN_BYTES) return
    const now = Date.now()
    if (now - lastAt < (tty ? 200 : 5000) && done < total) return
    lastAt = now
    const mib = (n: number): string => (n / (1 << 20)).toFixed(1)
    const rate = done / 1e6 / Math.max((now - started) / 1000, 1e-3)
    const text = `${label}: ${mib(done)} MiB of ${mib(total)} MiB (${rate.toFixed(1)} MB/s)`
    process.stderr.write(tty ? `\r${text}${done >= total ? '\n' : ''}` : `${text}\n`)
  }
}

/**
 * Hooks for a caller that is not a terminal (the app's service): progress in bytes of the file, and a
 * pause after each chunk (a promise to wait for, to let the event loop answer polls; it may throw to
 * cancel the read).
 */
export interface TraceFileHooks {
  readonly onProgress?: (done: number, total: number) => void
  readonly afterChunk?: () => Promise<void> | undefined
}

/**
 * Plain text is read with readSync into one reused buffer: the parser is the bottleneck, and the
 * stream's async reads left the CPU idle between chunks (measured with --cpu-prof: ~10% idle).
 */
async function readPlain(path: string, importer: TraceImporter, decoder: StringDecoder, report: (done: number) => void, afterChunk: TraceFileHooks['afterChunk']): Promise<ImportSummary> {
  const fd = openSync(path, 'r')
  const buffer = Buffer.allocUnsafe(READ_BYTES)
  let done = 0
  let ascii = true
  try {
    for (;;) {
      let n: number
      try {
        n = readSync(fd, buffer, 0, READ_BYTES, null)
      } catch (e) {
        throw new FormatError(path, [{ path: '', reason: `cannot read it: ${(e as Error).message}` }])
      }
      if (n <= 0) break
      const bytes = buffer.subarray(0, n)
      const plain = isPlainBytes(bytes, ascii)
      ascii = plain || isAscii(bytes)
      importer.feed(decoder.write(bytes), plain)
      done += n
      report(done)
      // Only a caller that asks for it waits here: the CLI's loop stays synchronous.
      const pause = afterChunk?.()
      if (pause) await pause
    }
  } finally {
    closeSync(fd)
  }
  importer.feed(decoder.end())
  return importer.finish()
}

/** The xz decoder's output as Buffers; it pulls the file stream only as fast as the parser reads. */
async function* xzChunks(raw: Readable): AsyncGenerator<Buffer> {
  // Loaded only for xz input. The package is a CommonJS bundle: Node's ESM loader (tests) sees only its
  // default export, the CLI's bundler the named one.
  const mod = (await import('xz-decompress')) as typeof XzDecompress & { default?: typeof XzDecompress }
  const XzReadableStream = mod.XzReadableStream ?? mod.default!.XzReadableStream
  const web = new XzReadableStream(Readable.toWeb(raw) as ReadableStream<Uint8Array>)
  try {
    for await (const chunk of web as unknown as AsyncIterable<Uint8Array>) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  } catch (e) {
    throw new Error(xzReason((e as Error).message), { cause: e })
  }
}

/** xz-embedded's enum xz_ret (linux/xz.h) as a reason a user can act on. */
function xzReason(message: string): string {
  const code = /error code (\d+)/.exec(message)?.[1]
  switch (code) {
    case '2':
      return 'xz: unsupported integrity check (recompress with xz -C crc64)'
    case '5':
      return 'xz: not an xz stream after its magic bytes'
    case '6':
      return 'xz: unsupported stream options (a SHA-256 check, or a filter other than LZMA2/BCJ): recompress with xz -C crc64'
    case '7':
      return 'xz: corrupt compressed data'
    case '8':
      return 'xz: the compressed stream ends early (a truncated file?)'
    default:
      return `xz: ${message}`
  }
}

export async function importTraceFile(path: string, importer: TraceImporter, label: string, hooks: TraceFileHooks = {}): Promise<ImportSummary> {
  if (!existsSync(path)) throw new FormatError(path, [{ path: '', reason: 'no such file' }])
  if (!statSync(path).isFile()) throw new FormatError(path, [{ path: '', reason: 'not a regular file' }])
  const head = fileHead(path)
  const total = statSync(path).size
  const onProgress = hooks.onProgress
  const report = onProgress ? (done: number) => onProgress(done, total) : progress(label, total)
  const decoder = new StringDecoder('utf8')
  if (!startsWith(head, GZIP_MAGIC) && !startsWith(head, XZ_MAGIC)) return readPlain(path, importer, decoder, report, hooks.afterChunk)
  const raw = createReadStream(path, { highWaterMark: READ_BYTES })
  // No 'data' listener on raw: it would switch the stream to flowing mode and let reads run ahead of
  // the parser (unbounded buffering). Progress reads raw.bytesRead from the consuming loop instead.
  const source = startsWith(head, GZIP_MAGIC) ? raw.pipe(createGunzip()) : xzChunks(raw)
  let cancelled: { readonly error: unknown } | undefined
  let ascii = true
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const plain = isPlainBytes(chunk, ascii)
      ascii = plain || isAscii(chunk)
      importer.feed(decoder.write(chunk), plain)
      report(raw.bytesRead)
      const pause = hooks.afterChunk?.()
      if (!pause) continue
      try {
        await pause
      } catch (error) {
        // A cancel from the caller, not a read error: stop reading and pass it on as it is.
        cancelled = { error }
        break
      }
    }
  } catch (e) {
    raw.destroy()
    throw new FormatError(path, [{ path: '', reason: `cannot read it: ${(e as Error).message}` }])
  }
  if (cancelled) {
    raw.destroy()
    throw cancelled.error
  }
  importer.feed(decoder.end())
  return importer.finish()
}
