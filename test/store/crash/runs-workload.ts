/** The crash harness's runs workload: saveRun and deleteRun (children/save-runs.ts). */
import { join } from 'node:path'
import { expect } from 'vitest'
import type { CrashWorkload } from './harness'
import { crashRun, scenarioName } from './workload'

interface RunsState {
  /** Runs the child reported saved (k -> id), or that were found complete in the store. */
  readonly saved: Map<number, number>
  readonly deleted: Set<number>
  /**
   * Runs whose delete was started but not reported done when the child was killed: the delete either
   * committed (the run is gone) or did not (the run is whole). Settled by the next verify.
   */
  readonly deleting: Set<number>
  /** Runs already compared in full with what they must contain. */
  readonly verified: Set<number>
}

export function runsWorkload(seed: number): CrashWorkload<RunsState> {
  return {
    name: 'runs',
    initial: () => ({ saved: new Map(), deleted: new Set(), deleting: new Set(), verified: new Set() }),
    child: (file, state) => ({
      script: join(import.meta.dirname, 'children', 'save-runs.ts'),
      args: [file, String(seed), String(Math.max(-1, ...state.saved.keys()) + 1)],
    }),
    record(state, line) {
      if (line.op === 'saved') state.saved.set(line.k as number, line.id as number)
      else if (line.op === 'deleting') state.deleting.add(line.id as number)
      else if (line.op === 'deleted') {
        state.deleting.delete(line.id as number)
        state.deleted.add(line.id as number)
      }
      else throw new Error(`unknown line from the runs child: ${JSON.stringify(line)}`)
    },
    verify(store, state) {
      const stored = new Map(store.listRuns().map((r) => [r.id, r]))
      // A delete in flight at the kill: committed (gone) or rolled back (whole, checked below), never half.
      for (const id of state.deleting) if (!stored.has(id)) state.deleted.add(id)
      state.deleting.clear()
      for (const [k, id] of state.saved) {
        if (state.deleted.has(id)) expect(stored.has(id), `run ${id} was deleted`).toBe(false)
        else expect(stored.get(id)?.scenario, `run ${id} (k ${k}) was committed`).toBe(scenarioName(seed, k))
      }
      // Every run present, reported or not (a kill can fall between a commit and its line), must be
      // complete: exactly what its k produces.
      for (const [id, summary] of stored) {
        if (state.verified.has(id)) continue
        const k = Number(/^crash-\d+-(\d+)$/.exec(summary.scenario)?.[1])
        const input = crashRun(seed, k)
        const run = store.getRun(id)!
        expect(JSON.stringify(run.result), `run ${id}`).toBe(JSON.stringify(input.result))
        const events = store.getEvents(id)
        expect(events.length, `run ${id}`).toBe(input.trace.events.count)
        for (const i of [0, events.length >> 1, events.length - 1]) expect(events[i], `run ${id} event ${i}`).toEqual(input.trace.events.decode(i))
        state.saved.set(k, id)
        state.verified.add(id)
      }
    },
  }
}
