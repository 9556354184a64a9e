/**
 * The virtual-list wiring the step and event lists share (@tanstack/vue-virtual): fixed-height rows,
 * the rows in view, the spacer height, a scroller as tall as its rows up to `maxHeight`, and a call
 * to `ensure(first, last)` whenever the rows in view change, so their pages get fetched.
 */
import { useVirtualizer } from '@tanstack/vue-virtual'
import { computed, ref, watch, type Ref } from 'vue'

export function useVirtualRows(options: { count: () => number; rowHeight: number; maxHeight: number; overscan: number; ensure: (first: number, last: number) => void }) {
  const scroller: Ref<HTMLElement | null> = ref(null)
  const virtualizer = useVirtualizer(
    computed(() => ({
      count: options.count(),
      getScrollElement: () => scroller.value,
      estimateSize: () => options.rowHeight,
      overscan: options.overscan,
    })),
  )
  const items = computed(() => virtualizer.value.getVirtualItems())
  const height = computed(() => virtualizer.value.getTotalSize())
  const scrollerHeight = computed(() => Math.min(options.maxHeight, Math.max(options.rowHeight * 2, height.value + 2)))
  watch(items, (list) => {
    if (list.length > 0) options.ensure(list[0]!.index, list.at(-1)!.index)
  })
  return { scroller, virtualizer, items, height, scrollerHeight }
}
