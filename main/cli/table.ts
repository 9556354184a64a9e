/** Plain-text tables for the terminal: columns padded to their widest cell. */
import { escapeCell } from './terminal-text'

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = rows.map((r) => r.map(escapeCell))
  // A loop, not Math.max(...): a spread of a few hundred thousand rows overflows the call stack.
  const widths = header.map((h) => h.length)
  for (const row of cells) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  const out = [line(header), line(widths.map((w) => '-'.repeat(w)))]
  for (const row of cells) out.push(line(row))
  return out.join('\n')
}
