/**
 * Everything the CLI prints as text goes through here: names, labels, paths and messages come from
 * user files, and a raw ESC or a bidi override in them would drive the terminal (colour, cursor, hidden
 * or reordered text). Control characters (C0 but newline and tab, DEL, C1) and the Unicode bidi
 * controls print as visible `\u{..}` escapes instead. JSON output needs none of this: JSON.stringify
 * already escapes control characters, and its consumers are programs.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu

export function escapeTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`)
}

/** One table cell or one-line value: tabs and newlines too, so a cell stays one line. */
export function escapeCell(text: string): string {
  return escapeTerminal(text).replace(/[\t\n]/g, (c) => (c === '\t' ? '\\t' : '\\n'))
}

export function printOut(text: string): void {
  process.stdout.write(escapeTerminal(text))
}

export function printErr(text: string): void {
  process.stderr.write(escapeTerminal(text))
}

// eslint-disable-next-line no-control-regex -- the SGR colour sequences our own renderers paint with
const SGR = /\x1b\[[0-9;]*m/g

/**
 * For text we painted ourselves (the diff's colours on a terminal): SGR colour sequences are kept,
 * everything else unsafe is escaped as printOut does. A name can at worst change a colour, never move
 * the cursor, hide or reorder text.
 */
export function printOutPainted(text: string): void {
  let out = ''
  let at = 0
  for (const m of text.matchAll(SGR)) {
    out += escapeTerminal(text.slice(at, m.index)) + m[0]
    at = m.index + m[0].length
  }
  process.stdout.write(out + escapeTerminal(text.slice(at)))
}
