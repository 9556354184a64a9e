/**
 * The virtual-list wiring the step, event and compare lists share (@tanstack/vue-virtual): fixed-height
 * rows, the rows in view, the spacer height, a scroller as tall as its rows up to `maxHeight`, and a
 * call to `ensure(first, last)` whenever the rows in view change, so their pages get fetched. A list
 * taller than SCALE_FROM_PX is drawn by scaled-rows.ts instead (the scroll space is capped and mapped
 * onto the rows), so a run of any length scrolls to its last step; `virtualizer` scrolls either kind.
 */
import { useVirtualizer } from '@tanstack/vue-virtual'
import { computed, onBeforeUnmount, ref, watch, type Ref } from 'vue'
import { SCALE_FROM_PX, scaledOffsetOf, scaledWindow, type ScaledGeometry } from './scaled-rows'

interface RowItem {
  readonly index: number
  readonly start: number
}

export interface VirtualRowOptions {
  count: () => number
  rowHeight: number
  maxHeight: number
  overscan: number
  ensure: (first: number, last: number) => void
}

export function useVirtualRows(options: VirtualRowOptions) {
  const scroller: Ref<HTMLElement | null> = ref(null)
  const scaled = computed(() => options.count() * options.rowHeight > SCALE_FROM_PX)
  const tanstack = useVirtualizer(
    computed(() => ({
      // A scaled list is not tanstack's: it gets no rows to measure.
      count: scaled.value ? 0 : options.count(),
      getScrollElement: () => scroller.value,
      estimateSize: () => options.rowHeight,
      overscan: options.overscan,
    })),
  )
  const scrollTop = ref(0)
  const viewport = ref(options.maxHeight)
  const onScroll = () => {
    const el = scroller.value
    // Only a scaled list draws from the scroll position itself; tanstack follows its own listener.
    if (el && scaled.value) {
      scrollTop.value = el.scrollTop
      viewport.value = el.clientHeight || options.maxHeight
    }
  }
  watch(scroller, (el, old) => {
    old?.removeEventListener('scroll', onScroll)
    el?.addEventListener('scroll', onScroll, { passive: true })
    onScroll()
  })
  // A list that becomes scaled (a bigger run opened) starts from where its scroller is.
  watch(scaled, () => onScroll())
  onBeforeUnmount(() => scroller.value?.removeEventListener('scroll', onScroll))
  const geometry = computed((): ScaledGeometry => ({ count: options.count(), rowHeight: options.rowHeight, viewport: viewport.value, space: SCALE_FROM_PX }))

  const items = computed((): readonly RowItem[] => (scaled.value ? scaledWindow(geometry.value, scrollTop.value, options.overscan).rows : tanstack.value.getVirtualItems()))
  const height = computed(() => (scaled.value ? SCALE_FROM_PX : tanstack.value.getTotalSize()))
  const scrollerHeight = computed(() => Math.min(options.maxHeight, Math.max(options.rowHeight * 2, height.value + 2)))
  /** Scrolls either kind of list: to a row (start or centre) or to a pixel offset. */
  const virtualizer = computed(() => ({
    scrollToIndex(index: number, opts: { align: 'start' | 'center' } = { align: 'start' }): void {
      if (!scaled.value) return tanstack.value.scrollToIndex(index, opts)
      if (scroller.value) scroller.value.scrollTop = scaledOffsetOf(geometry.value, index, opts.align)
    },
    scrollToOffset(offset: number): void {
      if (!scaled.value) return tanstack.value.scrollToOffset(offset)
      if (scroller.value) scroller.value.scrollTop = offset
    },
  }))
  watch(items, (list) => {
    if (list.length > 0) options.ensure(list[0]!.index, list.at(-1)!.index)
  })
  return { scroller, virtualizer, items, height, scrollerHeight }
}

/**
 * The row window every paged list draws: the rows in view, each with its data once its page has arrived
 * (`rowAt`; undefined draws a placeholder), and, with `follow`, the list scrolled to centre that row
 * whenever it changes (the step jumped to, the compare cursor).
 */
export function useRowWindow<T>(options: VirtualRowOptions & { rowAt: (index: number) => T | undefined; follow?: () => number | undefined }) {
  const rows = useVirtualRows(options)
  const visible = computed(() => rows.items.value.map((item) => ({ item, row: options.rowAt(item.index) })))
  if (options.follow) {
    watch(options.follow, (index) => {
      if (index !== undefined) rows.virtualizer.value.scrollToIndex(index, { align: 'center' })
    })
  }
  return { ...rows, visible }
}
