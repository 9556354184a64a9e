/**
 * The explorer on several threads: each breadth-first level's pending nodes are cut into chunks in
 * their merge order, the chunks are expanded at the same time (by a ChunkRunner: worker threads in
 * the CLI), and the expansions are merged on this thread chunk by chunk, in order, through
 * Explorer.applyNext(). The merge — the seen-state set, the counts, the first counterexample per
 * kind — is the one-thread merge in the same order, so the result is the same for any number of
 * threads (and the BFS guarantee holds: the first schedule merged per violation kind is a shortest
 * one). Small levels are not worth a round trip and run here (Explorer.advance()).
 */
import type { Profile } from '../formats/profile'
import type { Scenario } from '../formats/scenario'
import type { ExpandOptions, Expansion, FrontierNode } from '../explore/expand'
import type { Explorer } from '../explore/search'
import type { ViolationKind } from '../sim/result'

/** What a worker needs to build its Expander once per search (`search` names it in its cache). */
export interface ExpandSetup {
  readonly search: string
  readonly scenario: Scenario
  readonly profile: Profile
  readonly options: ExpandOptions
}

/** One chunk: the nodes to expand, in order, and the violation kinds already found. */
export interface ExpandTask extends ExpandSetup {
  readonly nodes: Pick<FrontierNode, 'choices' | 'last' | 'preemptions'>[]
  readonly known: ViolationKind[]
}

export interface ChunkRunner {
  /** Threads the runner expands chunks on (the `jobs` of the result). */
  readonly threads: number
  /** Expands a chunk's nodes in order; rejects once `signal` aborts. */
  run(task: ExpandTask, signal: AbortSignal): Promise<Expansion[]>
}

export interface LevelOptions {
  /** Aborting stops the search: what was merged is kept, the result says `interrupted`. */
  readonly signal?: AbortSignal
  /** The cut text when the signal aborts. */
  readonly interrupted?: string
  /** Chunks per thread and level (more: better balance, more round trips). */
  readonly chunksPerThread?: number
  /** Levels with fewer pending nodes run on this thread (default: 4 per thread). */
  readonly inlineBelow?: number
}

/** Nodes per level below which the level runs on this thread: a round trip costs more than it saves. */
const INLINE_BELOW_PER_THREAD = 4
/** Schedule executions per in-thread slice (as the one-thread CLI loop). */
const SLICE = 16

export async function exploreOnThreads(explorer: Explorer, runner: ChunkRunner, setup: ExpandSetup, opts: LevelOptions = {}): Promise<void> {
  const why = opts.interrupted ?? 'interrupted: the states still queued were not explored'
  const aborted = () => opts.signal?.aborted === true
  const yieldNow = () => new Promise((resolve) => setImmediate(resolve))
  while (!explorer.done) {
    if (aborted()) {
      explorer.interrupt(why)
      return
    }
    const nodes = explorer.pending()
    if (nodes.length === 0) break
    if (nodes.length < (opts.inlineBelow ?? runner.threads * INLINE_BELOW_PER_THREAD)) {
      explorer.advance(SLICE)
      await yieldNow()
      continue
    }
    await mergeLevel(explorer, runner, setup, nodes, opts)
    if (aborted()) explorer.interrupt(why)
  }
}

/** Expands `nodes` (the rest of the current level) in chunks and merges them in order. */
async function mergeLevel(explorer: Explorer, runner: ChunkRunner, setup: ExpandSetup, nodes: readonly FrontierNode[], opts: LevelOptions): Promise<void> {
  const size = Math.ceil(nodes.length / (runner.threads * (opts.chunksPerThread ?? 4)))
  const known = [...explorer.knownKinds()]
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  const chunks: Promise<Expansion[]>[] = []
  for (let i = 0; i < nodes.length; i += size) {
    const part = nodes.slice(i, i + size).map((n) => ({ choices: n.choices, last: n.last, preemptions: n.preemptions }))
    const p = runner.run({ ...setup, nodes: part, known }, stop.signal)
    // Rejections after a stop are expected; each one is also awaited (or dropped) below.
    p.catch(() => {})
    chunks.push(p)
  }
  try {
    for (const chunk of chunks) {
      let expansions: Expansion[]
      try {
        expansions = await chunk
      } catch (e) {
        if (stop.signal.aborted) return
        throw e
      }
      for (const e of expansions) if (!explorer.applyNext(e)) return
      explorer.progress()
      if (opts.signal?.aborted) return
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort)
    // A bound or an abort ended the level early: the chunks still running are not wanted.
    stop.abort()
  }
}
