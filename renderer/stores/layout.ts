/**
 * The bit-layout view: which arch, variant, kernel and level are drawn, an optional second kernel to
 * compare with, the entry value being decoded and the field under the pointer. Everything shown is
 * derived from the pure arch plugins (arch/), locally: no backend call.
 */
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ArchContext, Level } from '../../arch/api'
import { toHex, toHex64 } from '../../arch/bits'
import { bitTable, diffLayouts, layoutSummary, levelsOf } from '../../arch/describe'
import { context, decodeEntry, devmapFlags, encodeLeaf, entryHelpers } from '../../arch/entry'
import { allArchPlugins, getArch } from '../../arch/index'
import { formatKernel } from '../../arch/kernel'
import { KNOWN_RELEASES, resolveKernel } from '../../main/sim/kernel-model'
import { bitCells, labelSegments, parseEntry, rowKey, setBits } from '../bit-layout'

export const DEFAULT_ARCH = 'x86'
export const DEFAULT_KERNEL = '6.16'
/** x86 6.14 pte_mkdevmap() leaf of pfn 0x300000: PRESENT USER ACCESSED SPECIAL DEVMAP NX. */
export const EXAMPLE_ENTRY = '0x8200000300000225'
/** A pfn every variant's PTE, PMD and PUD leaves can map (aligned to 1 GiB of 64 KiB pages). */
const EXAMPLE_PFN = 0x300000n

export const useLayoutStore = defineStore('layout', () => {
  const archOptions = allArchPlugins().map((p) => ({ id: p.id, title: p.title }))
  const kernelOptions: readonly string[] = KNOWN_RELEASES

  const archId = ref(archOptions.some((a) => a.id === DEFAULT_ARCH) ? DEFAULT_ARCH : archOptions[0]!.id)
  const variantName = ref(getArch(archId.value).defaultVariant)
  const kernelText = ref(DEFAULT_KERNEL)
  /** '' when not comparing. */
  const compareText = ref('')
  const level = ref<Level>('pte')
  const entryText = ref(EXAMPLE_ENTRY)
  /** rowKey() of the field shown in the detail panel; undefined shows DEVMAP (or nothing). */
  const focusedKey = ref<string>()
  /** A second arch drawn under the first at the same kernel and level; '' when not stacking. */
  const otherArchId = ref('')

  const plugin = computed(() => getArch(archId.value))
  const variants = computed(() => plugin.value.variants)
  const variant = computed(() => variants.value.find((v) => v.name === variantName.value) ?? variants.value[0]!)
  const ctx = computed<ArchContext>(() => context(plugin.value, resolveKernel(kernelText.value), variant.value.name))
  const kernelLabel = computed(() => formatKernel(ctx.value.kernel))
  const compareCtx = computed<ArchContext | undefined>(() =>
    compareText.value === '' ? undefined : context(plugin.value, resolveKernel(compareText.value), variant.value.name),
  )
  const compareLabel = computed(() => (compareCtx.value ? formatKernel(compareCtx.value.kernel) : undefined))
  const levels = computed(() => levelsOf(ctx.value))
  /** The level drawn: the chosen one when this variant has leaves there, else its first level. */
  const shownLevel = computed<Level>(() => (levels.value.includes(level.value) ? level.value : levels.value[0]!))

  const rows = computed(() => bitTable(plugin.value, ctx.value, shownLevel.value))
  const summary = computed(() => layoutSummary(plugin.value, ctx.value))
  const devmap = computed(() => devmapFlags(plugin.value, ctx.value, shownLevel.value))
  /** Bits whose field changed between the kernel and the compare kernel, at the shown level. */
  const changes = computed(() => {
    const other = compareCtx.value
    if (!other) return []
    return diffLayouts(plugin.value, ctx.value, other).filter((c) => c.level === shownLevel.value)
  })
  const cells = computed(() => bitCells(rows.value, changes.value))
  const labels = computed(() => labelSegments(rows.value))
  const focusedRow = computed(() => {
    const key = focusedKey.value
    return rows.value.find((r) => rowKey(r) === key) ?? rows.value.find((r) => r.name === 'DEVMAP')
  })
  const notes = computed(() => plugin.value.notes ?? [])

  /**
   * Arch vs arch: the second arch's default variant at the same kernel and level, drawn with its own
   * fields (no release diff); undefined when not stacking or when that variant has no leaf there.
   */
  const other = computed(() => {
    if (otherArchId.value === '') return undefined
    const otherPlugin = getArch(otherArchId.value)
    const otherCtx = context(otherPlugin, resolveKernel(kernelText.value), otherPlugin.defaultVariant)
    const level = shownLevel.value
    if (!levelsOf(otherCtx).includes(level)) return { plugin: otherPlugin, ctx: otherCtx, level, cells: undefined, labels: undefined, devmap: undefined }
    const otherRows = bitTable(otherPlugin, otherCtx, level)
    return { plugin: otherPlugin, ctx: otherCtx, level, cells: bitCells(otherRows, []), labels: labelSegments(otherRows), devmap: devmapFlags(otherPlugin, otherCtx, level) }
  })

  const parsedEntry = computed(() => parseEntry(entryText.value))
  const entryError = computed(() => (parsedEntry.value.ok ? undefined : parsedEntry.value.error))
  const entryValue = computed(() => (parsedEntry.value.ok ? parsedEntry.value.value : undefined))
  const decoded = computed(() => {
    const value = entryValue.value
    if (value === undefined) return undefined
    const entry = decodeEntry(plugin.value, ctx.value, shownLevel.value, value)
    const other = compareCtx.value
    return {
      value,
      hex: toHex64(value),
      pfn: entry.pfn,
      pfnHex: toHex(entry.pfn),
      physHex: toHex(entry.pfn << BigInt(ctx.value.variant.pageShift)),
      flags: entry.flags,
      unknownBits: entry.unknownBits,
      unknownList: setBits(entry.unknownBits),
      setBits: setBits(value),
      helpers: entryHelpers(plugin.value, ctx.value, shownLevel.value, value),
      /** The same value read with the compare kernel's layout. */
      compareFlags: other && levelsOf(other).includes(shownLevel.value) ? decodeEntry(plugin.value, other, shownLevel.value, value).flags : undefined,
    }
  })
  /** A leaf as this kernel's recipe builds it (devmap where the release has pte/pmd/pud_mkdevmap). */
  const exampleEntry = computed(() => {
    try {
      const leaf = { pfn: EXAMPLE_PFN, write: false, dirty: false, special: false, devmap: devmap.value !== undefined }
      return toHex64(encodeLeaf(plugin.value, ctx.value, shownLevel.value, leaf))
    } catch {
      return undefined
    }
  })

  function selectArch(id: string): void {
    const next = getArch(id)
    archId.value = next.id
    variantName.value = next.defaultVariant
    focusedKey.value = undefined
    clampLevel()
  }

  function selectVariant(name: string): void {
    if (!plugin.value.variants.some((v) => v.name === name)) return
    variantName.value = name
    clampLevel()
  }

  function selectKernel(text: string): void {
    kernelText.value = formatKernel(resolveKernel(text))
  }

  function selectCompare(text: string): void {
    compareText.value = text === '' ? '' : formatKernel(resolveKernel(text))
  }

  function selectLevel(next: Level): void {
    if (levels.value.includes(next)) level.value = next
  }

  function setEntryText(text: string): void {
    entryText.value = text
  }

  function useExample(): void {
    if (exampleEntry.value !== undefined) entryText.value = exampleEntry.value
  }

  /**
   * Shows an entry value as a run saw it: that run's arch, variant, kernel and level, the value in the
   * decoder. Unknown arch or variant names leave the current choice (a run stored by another build).
   */
  function openEntry(entry: { arch: string; variant: string; kernel: string; level: string; value: string }): void {
    if (archOptions.some((a) => a.id === entry.arch)) selectArch(entry.arch)
    selectVariant(entry.variant)
    try {
      selectKernel(entry.kernel)
    } catch {
      // a kernel this build cannot resolve: keep the one shown
    }
    if (entry.level === 'pte' || entry.level === 'pmd' || entry.level === 'pud') selectLevel(entry.level)
    setEntryText(entry.value)
  }

  function focusField(key: string | undefined): void {
    focusedKey.value = key
  }

  function selectOtherArch(id: string): void {
    otherArchId.value = id === '' ? '' : getArch(id).id
  }

  function clampLevel(): void {
    if (!levels.value.includes(level.value)) level.value = levels.value[0]!
  }

  return {
    archOptions,
    kernelOptions,
    archId,
    variantName,
    kernelText,
    compareText,
    level,
    entryText,
    focusedKey,
    plugin,
    variants,
    variant,
    ctx,
    kernelLabel,
    compareCtx,
    compareLabel,
    levels,
    shownLevel,
    rows,
    summary,
    devmap,
    changes,
    cells,
    labels,
    focusedRow,
    notes,
    otherArchId,
    other,
    entryError,
    entryValue,
    decoded,
    exampleEntry,
    selectArch,
    selectVariant,
    selectKernel,
    selectCompare,
    selectLevel,
    setEntryText,
    useExample,
    openEntry,
    focusField,
    selectOtherArch,
  }
})
