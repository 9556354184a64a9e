/**
 * Serves the built renderer (out/renderer) read-only: GET/HEAD of files under that directory, `/` as
 * index.html, nothing outside it (no `..`, no symlink escapes), no directory listings.
 */
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
}

export interface StaticFile {
  /** Real path, inside the root. */
  readonly path: string
  readonly size: number
}

/**
 * The file a URL path names inside `rootDir`, or undefined when it is not a servable file there. The
 * root is resolved on every request, not once, so a server started before `electron-vite build` serves
 * the build as soon as it exists.
 */
export async function resolveStaticFile(rootDir: string, urlPath: string): Promise<StaticFile | undefined> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0')) return undefined
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '')
  let root: string
  try {
    root = await realpath(resolve(rootDir))
  } catch {
    return undefined
  }
  const candidate = resolve(join(root, relative))
  if (candidate !== root && !candidate.startsWith(root + sep)) return undefined
  try {
    const real = await realpath(candidate)
    if (!real.startsWith(root + sep)) return undefined
    const info = await stat(real)
    return info.isFile() ? { path: real, size: info.size } : undefined
  } catch {
    return undefined
  }
}

/** The Content-Type a renderer file is served with (the web bridge and the app's daxlab:// scheme). */
export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

export async function sendStaticFile(res: ServerResponse, file: StaticFile, headOnly: boolean): Promise<void> {
  const type = contentTypeOf(file.path)
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': file.size,
    // Hashed assets never change; index.html must be re-read after a rebuild.
    'Cache-Control': file.path.endsWith('.html') ? 'no-store' : 'public, max-age=31536000, immutable',
  })
  if (headOnly) {
    res.end()
    return
  }
  // pipeline() also settles (and closes the file) when the client goes away mid-download.
  await pipeline(createReadStream(file.path), res)
}
