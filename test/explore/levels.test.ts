/**
 * The explorer on several "threads" (main/explore-host/levels.ts) with an in-process chunk runner
 * whose chunks finish in a scrambled order: the merge in level order gives exactly the one-thread
 * result (same JSON but the time), with bounds too; an abort keeps what was merged, marked not
 * complete. The worker-thread runner itself is exercised through the CLI (cli.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { builtinScenario, resolveProfile } from '../../main/library/index'
import { Expander, type Expansion } from '../../main/explore/expand'
import { explore, Explorer, type ExploreOptions, type ExploreResult } from '../../main/explore/search'
import { exploreOnThreads, type ChunkRunner, type ExpandSetup, type ExpandTask } from '../../main/explore-host/levels'

/** Expands chunks here, each after a delay that makes later chunks finish first. */
function scrambledRunner(threads: number, onChunk?: (n: number) => void): ChunkRunner & { chunks: number } {
  const expanders = new Map<string, Expander>()
  const runner = {
    threads,
    chunks: 0,
    run(task: ExpandTask, signal: AbortSignal): Promise<Expansion[]> {
      const n = runner.chunks++
      onChunk?.(n)
      let expander = expanders.get(task.search)
      if (!expander) expanders.set(task.search, (expander = new Expander(task.scenario, task.profile, task.options)))
      const known = new Set(task.known)
      const out = task.nodes.map((node) => expander.expand(node, known))
      return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(new Error('aborted'))
        const timer = setTimeout(() => resolve(out), (7 - (n % 7)) * 2)
        signal.addEventListener('abort', () => (clearTimeout(timer), reject(new Error('aborted'))), { once: true })
      })
    },
  }
  return runner
}

const withoutTime = (r: ExploreResult) => ({ ...r, elapsed_ms: 0 })

async function onThreads(name: string, options: ExploreOptions, threads: number, signal?: AbortSignal, onChunk?: (n: number) => void) {
  const scenario = builtinScenario(name)!
  const profile = resolveProfile(scenario, name)
  const explorer = new Explorer(scenario, profile, options)
  const runner = scrambledRunner(threads, onChunk)
  const setup: ExpandSetup = { search: name, scenario, profile, options: { kernel: options.kernel, arch: options.arch, preemptionBound: options.preemptionBound } }
  await exploreOnThreads(explorer, runner, setup, { signal, interrupted: 'interrupted (test)', inlineBelow: 2 })
  return { result: explorer.result(), chunks: runner.chunks, sequential: () => explore(scenario, profile, options) }
}

describe('exploreOnThreads: the one-thread result from chunks merged in level order', () => {
  const cases: [string, ExploreOptions][] = [
    ['race-gup-fast-truncate', { kernel: '6.14', arch: 'arm64' }],
    ['race-gup-fast-truncate', { kernel: '6.17', arch: 'arm64' }],
    ['race-locked-entry-skip', { kernel: '6.15' }],
    ['race-zap-batched-put-unpin', { kernel: '6.14' }],
    ['race-locked-entry-skip', { kernel: '6.14' }],
    ['race-locked-entry-skip', { kernel: '6.16', preemptionBound: 1 }],
    ['race-gup-fast-truncate', { kernel: '6.14', arch: 'arm64', maxSchedules: 20 }],
  ]
  for (const [name, options] of cases) {
    for (const threads of [2, 3]) {
      it(`${name} ${JSON.stringify(options)}, ${threads} threads: the same result JSON`, async () => {
        const { result, chunks, sequential } = await onThreads(name, options, threads)
        expect(chunks).toBeGreaterThan(threads)
        expect(withoutTime(result)).toEqual(withoutTime(sequential()))
      })
    }
  }
})

describe('exploreOnThreads: stopping', () => {
  it('an abort mid-search keeps what was merged (states, outcomes so far), marked not complete', async () => {
    const stop = new AbortController()
    const { result, sequential } = await onThreads('race-locked-entry-skip', { kernel: '6.15' }, 2, stop.signal, (n) => n === 3 && stop.abort())
    const full = sequential()
    expect(result.complete).toBe(false)
    expect(result.cut).toBe('interrupted (test)')
    expect(result.states).toBeGreaterThan(1)
    expect(result.states).toBeLessThan(full.states)
    expect(result.schedules_total).toBeLessThan(full.schedules_total)
  })
})
