/**
 * One measurement in a child process of the bench bundle (`--parse-child`, `--run-child`), so its peak
 * RSS is its own and one that runs away can be stopped: its JSON line, or why there is none.
 */
import { spawnSync } from 'node:child_process'

export function childFigure<T>(benchBundle: string, args: readonly string[], limitMs: number): { readonly value: T } | { readonly note: string } {
  const r = spawnSync(process.execPath, [benchBundle, ...args], { timeout: limitMs, encoding: 'utf8' })
  if (r.error || r.status !== 0) {
    const timedOut = r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT'
    return { note: timedOut ? `did not finish within ${limitMs} ms` : `child failed: ${r.stderr.trim().split('\n').slice(-1)[0] ?? r.status}` }
  }
  return { value: JSON.parse(r.stdout) as T }
}
