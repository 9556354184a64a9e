/**
 * Views of a plugin's layout for people: the bit table of a level in one release, and what changed
 * between two releases (`--diff 6.16..6.17` shows the freed devmap bit). Pure; the CLI and the app's
 * bit-layout view render these.
 */
import type { ArchContext, ArchPlugin, Level } from './api'
import { fieldMask, toHex64 } from './bits'
import { devmapFlags, fieldsAt, levelShift, pfnField } from './entry'
import { formatKernelRange, inKernelRange } from './kernel'

export interface BitRow {
  readonly bits: string
  readonly shift: number
  readonly width: number
  readonly mask: string
  readonly name: string
  readonly macro: string
  readonly kind: 'hw' | 'sw' | 'addr'
  readonly meaning: string
  readonly kernels: string
  readonly source: string
}

export function levelsOf(ctx: ArchContext): Level[] {
  return (['pte', 'pmd', 'pud'] as const).filter((l) => ctx.variant.pfn[l] !== undefined)
}

export function bitTable(plugin: ArchPlugin, ctx: ArchContext, level: Level): BitRow[] {
  const rows: BitRow[] = fieldsAt(plugin, ctx, level).map((f) => {
    const width = f.width ?? 1
    return {
      bits: width === 1 ? String(f.shift) : `${f.shift}..${f.shift + width - 1}`,
      shift: f.shift,
      width,
      mask: toHex64(fieldMask(f.shift, width)),
      name: f.name,
      macro: f.macro,
      kind: f.kind,
      meaning: f.meaning,
      kernels: formatKernelRange(f.kernels),
      source: f.source,
    }
  })
  const pfn = pfnField(ctx, level)
  rows.push({
    bits: `${pfn.lo}..${pfn.hi}`,
    shift: pfn.lo,
    width: pfn.hi - pfn.lo + 1,
    mask: toHex64(fieldMask(pfn.lo, pfn.hi - pfn.lo + 1)),
    name: 'PFN',
    macro: level === 'pte' ? 'PTE_PFN_MASK' : `${level.toUpperCase()} leaf address`,
    kind: 'addr',
    meaning: `page frame number << ${ctx.variant.pfnShift}`,
    kernels: 'all',
    source: ctx.variant.source,
  })
  return rows.sort((a, b) => a.shift - b.shift)
}

export interface LayoutSummary {
  readonly arch: string
  readonly variant: string
  readonly pageSize: number
  readonly pmdSize: number
  readonly pudSize: number | null
  readonly devmap: Partial<Record<Level, readonly string[] | null>>
  readonly ptesDevmap: boolean
  readonly zoneDevice: boolean
  readonly pudThp: boolean
}

export function layoutSummary(plugin: ArchPlugin, ctx: ArchContext): LayoutSummary {
  const k = ctx.kernel
  const devmap: Partial<Record<Level, readonly string[] | null>> = {}
  for (const level of levelsOf(ctx)) devmap[level] = devmapFlags(plugin, ctx, level) ?? null
  return {
    arch: plugin.id,
    variant: ctx.variant.name,
    pageSize: 2 ** ctx.variant.pageShift,
    pmdSize: 2 ** ctx.variant.pmdShift,
    pudSize: ctx.variant.pudShift !== undefined && ctx.variant.pfn.pud ? 2 ** levelShift(ctx.variant, 'pud') : null,
    devmap,
    ptesDevmap: plugin.kconfig.ptesDevmap.some((r) => inKernelRange(k, r)),
    zoneDevice: plugin.kconfig.zoneDevice.some((r) => inKernelRange(k, r)),
    pudThp: plugin.kconfig.pudThp.some((r) => inKernelRange(k, r)),
  }
}

export interface BitChange {
  readonly level: Level
  readonly bit: number
  readonly before: string | null
  readonly after: string | null
  /** freed: a named field became free or unnamed; added: a free bit got a field; renamed: both named. */
  readonly change: 'freed' | 'added' | 'renamed'
}

/** Bit by bit, which field names differ between two releases at each level. */
export function diffLayouts(plugin: ArchPlugin, before: ArchContext, after: ArchContext): BitChange[] {
  const changes: BitChange[] = []
  for (const level of levelsOf(before)) {
    const a = namesByBit(plugin, before, level)
    const b = namesByBit(plugin, after, level)
    for (let bit = 0; bit < 64; bit++) {
      const x = a.get(bit) ?? null
      const y = b.get(bit) ?? null
      if (x === y) continue
      const freed = y === null || isFreeName(plugin, after, level, y)
      changes.push({ level, bit, before: x, after: y, change: x === null ? 'added' : freed ? 'freed' : 'renamed' })
    }
  }
  return changes
}

function namesByBit(plugin: ArchPlugin, ctx: ArchContext, level: Level): Map<number, string> {
  const out = new Map<number, string>()
  for (const f of fieldsAt(plugin, ctx, level)) {
    for (let i = 0; i < (f.width ?? 1); i++) {
      const prev = out.get(f.shift + i)
      out.set(f.shift + i, prev ? `${prev}/${f.name}` : f.name)
    }
  }
  return out
}

/** A field whose meaning says it is a free software bit (x86 SOFTW4 after 6.17, ppc SW1, ...). */
function isFreeName(plugin: ArchPlugin, ctx: ArchContext, level: Level, name: string): boolean {
  const f = fieldsAt(plugin, ctx, level).find((x) => x.name === name)
  return f !== undefined && /\bfree\b/i.test(f.meaning)
}
