/**
 * Which view is shown. A store rather than App-local state so one view can send the user to another
 * (an entry value in the run view opens the bit-layout decoder). No backend calls.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'

export type ViewId = 'runs' | 'scenarios' | 'profiles' | 'layout' | 'compare' | 'sessions' | 'explore' | 'traces'

export const VIEWS: readonly { readonly id: ViewId; readonly label: string }[] = [
  { id: 'runs', label: 'Runs' },
  { id: 'scenarios', label: 'Scenarios' },
  { id: 'layout', label: 'Bit layout' },
  { id: 'compare', label: 'Compare' },
  { id: 'sessions', label: 'Sessions' },
  { id: 'profiles', label: 'Hardware profiles' },
  { id: 'explore', label: 'Explore' },
  { id: 'traces', label: 'Traces' },
]

export const useUiStore = defineStore('ui', () => {
  const view = ref<ViewId>('runs')
  function show(id: ViewId): void {
    view.value = id
  }
  return { view, show }
})
