/**
 * Pure helpers for the bit-layout view: parsing a pasted entry value and turning an arch plugin's bit
 * table (arch/describe.ts) into the 64 cells and spanning labels of a register diagram. No Vue, no DOM.
 */
import type { BitChange, BitRow } from '../arch/describe'
import { parseU64 } from '../arch/bits'

/** What a cell is coloured as. DEVMAP gets its own colour: it is the bit this lab is about. */
export type CellKind = 'hw' | 'sw' | 'addr' | 'devmap' | 'unused'

export const ENTRY_ERROR = 'not a 64-bit hex value'

export type ParsedEntry = { ok: true; value: bigint } | { ok: false; error: string } | { ok: true; value: undefined }

/**
 * A pasted entry value: hex with or without `0x` (the kernel prints PTEs as bare hex), `_` and blanks
 * allowed as digit separators. Empty text is no value, not an error.
 */
export function parseEntry(text: string): ParsedEntry {
  const digits = text.replace(/[\s_]/g, '')
  if (digits === '') return { ok: true, value: undefined }
  const body = /^0x/i.test(digits) ? digits.slice(2) : digits
  const value = /^[0-9a-f]{1,16}$/i.test(body) ? parseU64(`0x${body}`) : undefined
  return value === undefined ? { ok: false, error: ENTRY_ERROR } : { ok: true, value }
}

export function rowKey(row: Pick<BitRow, 'name' | 'shift'>): string {
  return `${row.name}@${row.shift}`
}

export function rowKind(row: Pick<BitRow, 'name' | 'kind'>): CellKind {
  return row.name === 'DEVMAP' ? 'devmap' : row.kind
}

export function kindLabel(kind: BitRow['kind']): string {
  return kind === 'hw' ? 'hardware' : kind === 'sw' ? 'software' : 'address'
}

export function highBit(row: Pick<BitRow, 'shift' | 'width'>): number {
  return row.shift + row.width - 1
}

export function coversBit(row: Pick<BitRow, 'shift' | 'width'>, bit: number): boolean {
  return bit >= row.shift && bit <= highBit(row)
}

/** The changes that fall inside a field's bits. */
export function changesIn(row: Pick<BitRow, 'shift' | 'width'>, changes: readonly BitChange[]): BitChange[] {
  return changes.filter((c) => coversBit(row, c.bit))
}

/** A field's changes as one line: a multi-bit field that moves as a whole lists its change once. */
export function changesText(changes: readonly BitChange[]): string {
  return [...new Set(changes.map(changeText))].join('; ')
}

/** One line per fact, for a title attribute. */
export function rowTitle(row: BitRow): string {
  const bits = row.width === 1 ? `bit ${row.shift}` : `bits ${highBit(row)}..${row.shift}`
  return [`${row.macro} (${bits}, ${kindLabel(row.kind)})`, row.meaning, `kernels: ${row.kernels}`, `source: ${row.source}`].join('\n')
}

/** `DEVMAP → SOFTW4 (freed)`. */
export function changeText(change: BitChange): string {
  return `${change.before ?? 'unused'} → ${change.after ?? 'unused'} (${change.change})`
}

export interface BitCell {
  readonly bit: number
  readonly kind: CellKind
  /** Names of the declared fields covering this bit, `/`-joined; 'PFN' for a pure address bit. */
  readonly name: string | null
  /** Row of the field the cell belongs to (declared field first, then the address field). */
  readonly key: string | null
  readonly change: BitChange | null
  readonly title: string
}

/** The 64 cells of one level, bit 63 first (leftmost). */
export function bitCells(rows: readonly BitRow[], changes: readonly BitChange[]): BitCell[] {
  const changeAt = new Map(changes.map((c) => [c.bit, c] as const))
  const cells: BitCell[] = []
  for (let bit = 63; bit >= 0; bit--) {
    const covering = rows.filter((r) => coversBit(r, bit))
    // A declared field wins over the address field it overlaps (ppc hash software bits in the RPN).
    const fields = covering.filter((r) => r.kind !== 'addr')
    const addr = covering.find((r) => r.kind === 'addr')
    const main = fields[0] ?? addr
    const change = changeAt.get(bit) ?? null
    const name = fields.length > 0 ? fields.map((r) => r.name).join('/') : addr ? addr.name : null
    const kind: CellKind = fields.some((r) => r.name === 'DEVMAP') ? 'devmap' : main ? rowKind(main) : 'unused'
    const lines = [`bit ${bit}: ${name ?? 'no field at this level'}`]
    for (const r of fields.length > 0 ? fields : addr ? [addr] : []) lines.push(`${r.macro}: ${r.meaning} (kernels ${r.kernels})`)
    if (change) lines.push(changeText(change))
    cells.push({ bit, kind, name, key: main ? rowKey(main) : null, change, title: lines.join('\n') })
  }
  return cells
}

export interface LabelSegment {
  readonly key: string
  readonly name: string
  readonly hi: number
  readonly lo: number
  readonly kind: CellKind
  /** Label row, 0 nearest the cells; overlapping fields (aliases) stack upwards. */
  readonly lane: number
  /** Written bottom-to-top when the name is wider than the bits it spans. */
  readonly vertical: boolean
  readonly title: string
}

/** Characters a label may use per bit before it is turned vertical (a cell is ~18px at 1360px). */
const CHARS_PER_BIT = 2.4

export function labelSegments(rows: readonly BitRow[]): LabelSegment[] {
  const lanes: [number, number][][] = []
  const sorted = [...rows].sort((a, b) => highBit(b) - highBit(a) || b.width - a.width)
  return sorted.map((row) => {
    const hi = highBit(row)
    const lo = row.shift
    let lane = lanes.findIndex((taken) => taken.every(([h, l]) => hi < l || lo > h))
    if (lane < 0) lane = lanes.push([]) - 1
    lanes[lane]!.push([hi, lo])
    return {
      key: rowKey(row),
      name: row.name,
      hi,
      lo,
      kind: rowKind(row),
      lane,
      vertical: row.name.length > row.width * CHARS_PER_BIT,
      title: rowTitle(row),
    }
  })
}

/** Set bit numbers of a value, highest first. */
export function setBits(value: bigint): number[] {
  const bits: number[] = []
  for (let bit = 63; bit >= 0; bit--) if ((value >> BigInt(bit)) & 1n) bits.push(bit)
  return bits
}

/** `0x8200000300000225` -> `8200 0003 0000 0225`. */
export function groupedHex(value: bigint): string {
  return value.toString(16).padStart(16, '0').replace(/(.{4})(?!$)/g, '$1 ')
}
