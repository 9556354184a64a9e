/**
 * A session's one-line summary (`sessions list`, `sessions show`, the end of a sweep). On its own so a
 * sweep prints it without loading the CLI's file readers and, with them, the YAML parser.
 */
import type { SessionInfo } from '../../store/sessions/session-store'

export function describeSession(info: SessionInfo): string {
  const counts = info.items
  const matrix =
    info.planned === null
      ? `${info.runs} runs (not a sweep)`
      : `${info.planned} combinations: ${counts.done} run, ${counts.skipped} skipped, ${counts.failed} failed, ${counts.pending} pending` +
        (counts.done + counts.skipped + counts.failed + counts.pending < info.planned ? ` (this store holds ${counts.done + counts.skipped + counts.failed + counts.pending}: a shard)` : '')
  return `session ${info.name}: ${info.state}, ${matrix}`
}
