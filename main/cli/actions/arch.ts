/** `daxlab arch list|show|encode|decode`. */
import { LEVELS, type Level } from '../../../arch/api'
import { parseU64, toHex, toHex64 } from '../../../arch/bits'
import { bitTable, diffLayouts, layoutSummary, levelsOf } from '../../../arch/describe'
import { context, decodeEntry, encodeEntry } from '../../../arch/entry'
import { allArchPlugins, getArch } from '../../../arch/index'
import { formatKernel } from '../../../arch/kernel'
import { kernelProblem } from '../../formats/kernel-field'
import { formatSize } from '../../formats/units'
import { resolveKernel } from '../../sim/kernel-model'
import type { ArchOpts } from '../commands/arch'
import { table } from '../table'
import { printOut } from '../terminal-text'
import { UsageError } from '../usage-error'

function levelArg(value: string | undefined): Level {
  if (!value || !(LEVELS as readonly string[]).includes(value)) throw new UsageError(`--level must be one of ${LEVELS.join(', ')}`)
  return value as Level
}

function ctxFor(archId: string, opts: ArchOpts) {
  const plugin = getArch(archId)
  return { plugin, ctx: context(plugin, resolveKernel(opts.kernel ?? '6.17'), opts.variant) }
}

/**
 * `--flags PRESENT,PLV=3`: names, and NAME=value with value a number (0x... or decimal). Checked here so
 * `PLV=` or `PLV=abc` is refused by name instead of silently becoming 0 or a BigInt error.
 */
export function flagList(text: string): string[] {
  const flags = text.split(',').map((f) => f.trim()).filter(Boolean)
  return flags.map((flag) => {
    const eq = flag.indexOf('=')
    if (eq < 0) return flag
    const name = flag.slice(0, eq)
    const valueText = flag.slice(eq + 1)
    if (!name) throw new UsageError(`--flags: '${flag}' has no flag name before '='`)
    if (valueText.trim() === '') throw new UsageError(`--flags: '${flag}' needs a value after '=' (e.g. ${name}=1)`)
    const value = parseU64(valueText)
    if (value === undefined) throw new UsageError(`--flags: '${flag}': '${valueText}' is not a number (0x... or decimal)`)
    return `${name}=${value}`
  })
}

export function listArches(opts: { json?: boolean }): void {
  const list = allArchPlugins().map((p) => ({ id: p.id, title: p.title, default_variant: p.defaultVariant, variants: p.variants.map((v) => v.name) }))
  if (opts.json) process.stdout.write(JSON.stringify(list, null, 2) + '\n')
  else printOut(table(['arch', 'title', 'variants (default first)'], list.map((a) => [a.id, a.title, [a.default_variant, ...a.variants.filter((v) => v !== a.default_variant)].join(', ')])) + '\n')
}

export function showArch(archId: string, opts: ArchOpts & { diff?: string }): void {
  if (opts.diff) return showDiff(archId, opts)
  const { plugin, ctx } = ctxFor(archId, opts)
  const summary = layoutSummary(plugin, ctx)
  const levels = Object.fromEntries(levelsOf(ctx).map((l) => [l, bitTable(plugin, ctx, l)]))
  if (opts.json) {
    process.stdout.write(JSON.stringify({ kernel: formatKernel(ctx.kernel), ...summary, levels, notes: plugin.notes ?? [] }, null, 2) + '\n')
    return
  }
  const out = [
    `${plugin.title} (${plugin.id}), variant ${ctx.variant.name}, kernel ${formatKernel(ctx.kernel)}`,
    `page ${formatSize(summary.pageSize)}, PMD leaf ${formatSize(summary.pmdSize)}, PUD leaf ${summary.pudSize ? formatSize(summary.pudSize) : 'none'}${summary.pudThp ? '' : ' (no PUD THP)'}`,
    `ARCH_HAS_PTE_DEVMAP: ${summary.ptesDevmap ? 'yes' : 'no'}; ZONE_DEVICE: ${summary.zoneDevice ? 'available' : 'not available'}`,
    `devmap helpers: ${Object.entries(summary.devmap).map(([l, f]) => `${l}_mkdevmap ${f ? f.join('|') : 'none'}`).join(', ')}`,
  ]
  for (const [level, rows] of Object.entries(levels)) {
    out.push('', `${level.toUpperCase()} leaf:`, table(['bits', 'mask', 'name', 'hw/sw', 'kernels', 'meaning'], rows.map((r) => [r.bits, r.mask, r.name, r.kind, r.kernels, r.meaning])))
  }
  if (plugin.notes?.length) out.push('', 'notes:', ...plugin.notes.map((n) => `  - ${n}`))
  out.push('', `sources: ${plugin.headers.join(', ')}`)
  printOut(out.join('\n') + '\n')
}

export function encode(archId: string, opts: ArchOpts & { level?: string; pfn: string; flags: string }): void {
  const { plugin, ctx } = ctxFor(archId, opts)
  const pfn = parseU64(opts.pfn)
  if (pfn === undefined) throw new UsageError(`--pfn '${opts.pfn}' is not a number`)
  const flags = opts.flags.split(',').map((f) => f.trim()).filter(Boolean)
  const value = encodeEntry(plugin, ctx, levelArg(opts.level), pfn, flagList(opts.flags))
  if (opts.json) process.stdout.write(JSON.stringify({ value: toHex64(value), pfn: toHex(pfn), flags }) + '\n')
  else printOut(toHex64(value) + '\n')
}

export function decode(archId: string, valueText: string, opts: ArchOpts & { level?: string }): void {
  const { plugin, ctx } = ctxFor(archId, opts)
  const value = parseU64(valueText)
  if (value === undefined) throw new UsageError(`'${valueText}' is not a 64-bit value`)
  const d = decodeEntry(plugin, ctx, levelArg(opts.level), value)
  const json = { pfn: toHex(d.pfn), flags: d.flags, unknown_bits: toHex(d.unknownBits) }
  if (opts.json) process.stdout.write(JSON.stringify(json) + '\n')
  else printOut(`pfn ${json.pfn}\nflags ${d.flags.join(' ') || '(none)'}\nunknown bits ${json.unknown_bits}\n`)
}

function showDiff(archId: string, opts: ArchOpts & { diff?: string }): void {
  const m = /^([\d.]+)\.\.([\d.]+)$/.exec(opts.diff ?? '')
  if (!m) throw new UsageError(`--diff takes two releases like 6.16..6.17, not '${opts.diff}'`)
  for (const k of [m[1]!, m[2]!]) {
    const problem = kernelProblem(k)
    if (problem) throw new UsageError(`--diff: ${problem}`)
  }
  const plugin = getArch(archId)
  const before = context(plugin, resolveKernel(m[1]!), opts.variant)
  const after = context(plugin, resolveKernel(m[2]!), opts.variant)
  const changes = diffLayouts(plugin, before, after)
  if (opts.json) {
    process.stdout.write(JSON.stringify({ arch: plugin.id, variant: before.variant.name, from: m[1], to: m[2], changes }, null, 2) + '\n')
    return
  }
  const head = `${plugin.id} ${before.variant.name}: ${m[1]} -> ${m[2]}`
  if (changes.length === 0) {
    printOut(`${head}: no bit changes\n`)
    return
  }
  printOut(`${head}\n` + table(['level', 'bit', 'mask', m[1]!, m[2]!, 'change'], changes.map((c) => [c.level, String(c.bit), toHex64(1n << BigInt(c.bit)), c.before ?? '-', c.after ?? '-', c.change])) + '\n')
}
