/**
 * Progress on stderr for long runs: silent for short ones, a rewritten line on a terminal, a line per
 * 10% otherwise (so CI logs stay readable).
 */
import { escapeCell } from './terminal-text'

export function stderrProgress(label: string, minTotal = 2000): (done: number, total: number) => void {
  let lastDecile = -1
  const tty = process.stderr.isTTY === true
  return (done, total) => {
    if (total < minTotal) return
    if (tty) {
      process.stderr.write(`\r${escapeCell(label)}: step ${done}/${total}${done === total ? '\n' : ''}`)
      return
    }
    const decile = Math.floor((done / total) * 10)
    if (decile !== lastDecile) {
      lastDecile = decile
      process.stderr.write(`${escapeCell(label)}: ${decile * 10}% (${done}/${total} steps)\n`)
    }
  }
}
