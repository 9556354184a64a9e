/** Sizes as users write them: `4KiB`, `2MiB`, `1GiB`, `1TiB`, a bare byte count, or `0x...`. */
const UNITS: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, PiB: 2 ** 50 }
const SIZE_RE = /^\s*(\d+)\s*(B|KiB|MiB|GiB|TiB|PiB)?\s*$/

export function parseSize(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : undefined
  if (/^0x[0-9a-fA-F]+$/.test(input.trim())) {
    const v = Number.parseInt(input.trim(), 16)
    return Number.isSafeInteger(v) ? v : undefined
  }
  const m = SIZE_RE.exec(input)
  if (!m) return undefined
  const v = Number(m[1]) * UNITS[m[2] ?? 'B']!
  return Number.isSafeInteger(v) ? v : undefined
}

export function formatSize(bytes: number): string {
  for (const unit of ['PiB', 'TiB', 'GiB', 'MiB', 'KiB'] as const) {
    const u = UNITS[unit]!
    if (bytes >= u && bytes % u === 0) return `${bytes / u}${unit}`
  }
  return `${bytes}B`
}
