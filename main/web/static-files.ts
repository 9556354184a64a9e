/**
 * Serves the built renderer (out/renderer) read-only: GET/HEAD of files under that directory, `/` as
 * index.html, nothing outside it (no `..`, no symlink escapes), no directory listings.
 */
import { createReadStream } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import { extname, join, resolve, sep } from 'node:path'

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

/** The file a URL path names inside `rootDir`, or undefined when it is not a servable file there. */
export async function resolveStaticFile(rootDir: string, urlPath: string): Promise<string | undefined> {
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
    return (await stat(real)).isFile() ? real : undefined
  } catch {
    return undefined
  }
}

export async function sendStaticFile(res: ServerResponse, file: string, headOnly: boolean): Promise<void> {
  const info = await stat(file)
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': info.size,
    // Hashed assets never change; index.html must be re-read after a rebuild.
    'Cache-Control': file.endsWith('.html') ? 'no-store' : 'public, max-age=31536000, immutable',
  })
  if (headOnly) {
    res.end()
    return
  }
  await new Promise<void>((done, fail) => {
    createReadStream(file).on('error', fail).on('end', done).pipe(res)
  })
}
