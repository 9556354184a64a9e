/** Display helpers shared by the views. Pure. */
import type { ProbeResult } from '../main/sim/result'

/** `2025-01-31T12:00:00.000Z` -> `2025-01-31 12:00:00 UTC`. */
export function formatCreated(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso)
  return m ? `${m[1]} ${m[2]} UTC` : iso
}

export function probeSummary(probe: ProbeResult): string {
  return `ref ${probe.refcount} · map ${probe.mapcount} · pin ${probe.pincount}`
}
