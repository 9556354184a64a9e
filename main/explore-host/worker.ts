/** The explorer pool worker's entry (built as dist/cli/explore-worker.js): expands one chunk of nodes per task. */
import { Expander, type Expansion } from '../explore/expand'
import type { ExpandTask } from './levels'

/** The Expander of the search this worker last served (a search sends its chunks to every worker). */
let cached: { search: string; expander: Expander } | undefined

export default function expandChunk(task: ExpandTask): Expansion[] {
  if (cached?.search !== task.search) cached = { search: task.search, expander: new Expander(task.scenario, task.profile, task.options) }
  const known = new Set(task.known)
  const expander = cached.expander
  return task.nodes.map((n) => expander.expand(n, known))
}
