/**
 * Sweep progress on stderr: done/total, rate and ETA. A terminal gets one rewritten line; a log gets a
 * line per 10% (and the first), so CI output stays short.
 */
import type { SweepProgress } from './execute'

export function sweepProgress(label: string, skipped: number, out: NodeJS.WriteStream = process.stderr): (p: SweepProgress) => void {
  const start = performance.now()
  const tty = out.isTTY === true
  let lastDecile = -1
  return ({ done, failed, total }) => {
    const finished = done + failed
    const seconds = (performance.now() - start) / 1000
    const rate = seconds > 0 ? finished / seconds : 0
    const eta = rate > 0 ? Math.ceil((total - finished) / rate) : undefined
    const line =
      `${label}: ${finished}/${total} runs` +
      (failed ? `, ${failed} failed` : '') +
      (skipped ? `, ${skipped} skipped` : '') +
      `, ${rate.toFixed(1)} runs/s` +
      (finished < total && eta !== undefined ? `, ETA ${eta}s` : '')
    if (tty) {
      out.write(`\r\x1b[K${line}${finished === total ? '\n' : ''}`)
      return
    }
    const decile = total === 0 ? 10 : Math.floor((finished / total) * 10)
    if (decile !== lastDecile) {
      lastDecile = decile
      out.write(line + '\n')
    }
  }
}
