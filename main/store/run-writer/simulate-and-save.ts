/**
 * Simulates a scenario and stores it, as `daxlab run` does. A run that will grow past
 * STREAM_AFTER_EVENTS is saved while it runs: each whole chunk of finished events is packed here
 * straight from the engine's log (no flat copy of it first) and handed to a writer thread (./host.ts)
 * that commits it while the engine goes on, and writes the run row at the end
 * (TraceStore.beginStreamedRun; e2e_events_per_s in `npm run bench`). Smaller runs, and builds without
 * the writer bundle, are saved in one go by saveRun. Both paths store exactly the same rows.
 */
import type { Profile } from '../../formats/profile'
import type { Scenario } from '../../formats/scenario'
import type { ColumnArrays } from '../../sim/events'
import { startRun, type RunOptions, type RunOutput } from '../../sim/run'
import { eventChunks, prepareHead, prepareTail } from '../prepared-run'
import type { TraceStore } from '../trace-store'
import { StreamedSave } from './host'

/** Below this many events a writer thread costs more (its start, 75-90 ms here) than it saves. */
export const STREAM_AFTER_EVENTS = 1 << 18

/**
 * Events per engine slice between two looks at the log, about: each slice's step count is sized from
 * the last slice's events per step. A fixed 2,048 steps meant a run of heavy steps (a 4,096-page pin
 * records ~7k events) posted ~15M events of chunks at once, ~620 MB in flight (4.0 GB peak RSS for a
 * 25.8M-event run); light steps (the bench's mix, ~5 events) still take the most steps per slice.
 */
const SLICE_EVENTS = 1 << 16
/** Steps per slice, at most. */
const SLICE_STEPS = 2048
/** The first slice, before any step's events have been seen. */
const FIRST_SLICE_STEPS = 16

export interface SimulateAndSaveInput {
  readonly scenario: Scenario
  readonly scenarioText: string
  readonly profile: Profile
  readonly options: RunOptions
  readonly session?: string
  readonly store: TraceStore
  /** Tests lower it to exercise the streamed path on small runs. */
  readonly streamAfterEvents?: number
}

export async function simulateAndSave(input: SimulateAndSaveInput): Promise<{ readonly output: RunOutput; readonly runId: number; readonly streamed: boolean }> {
  const { store } = input
  store.assertWritable()
  const handle = startRun(input.scenario, input.profile, input.options)
  const log = handle.events
  const { chunkEvents, chunkRecords } = store.chunking
  const threshold = input.streamAfterEvents ?? STREAM_AFTER_EVENTS
  let save: StreamedSave | undefined
  let tried = false
  let sent = 0
  // Events [sent, end) as a range of their own, packed with their run-wide numbers: the same chunks a
  // one-go saveRun packs. The writer thread then only inserts (it was behind the engine when it packed).
  const sendUpTo = (end: number) => {
    if (end <= sent) return
    const from = sent
    const slice = { count: end - from, writeRange: (a: number, b: number, out: ColumnArrays) => log.writeRange(from + a, from + b, out) }
    const writer = save!
    // Into buffers the writer has handed back where it has (written chunks' memory, already faulted in).
    writer.sendChunks([...eventChunks(slice, chunkEvents, from, from / chunkEvents, (bytes) => writer.reusable(bytes))])
    sent = end
  }
  let sliceSteps = FIRST_SLICE_STEPS
  try {
    for (let before = 0; !handle.advance(sliceSteps); before = log.filled) {
      const grown = log.filled - before
      sliceSteps = grown > 0 ? Math.max(1, Math.min(SLICE_STEPS, Math.round((sliceSteps * SLICE_EVENTS) / grown))) : SLICE_STEPS
      // The writer starts as soon as the run looks big enough, from its events per step so far: it
      // takes 75-90 ms to boot, and started only once the threshold was reached it was still behind
      // when the engine ended (docs/adr/0033).
      // (A run that already has `threshold` events predicts at least as many.)
      if (!tried && handle.done > 0 && (log.filled / handle.done) * handle.total >= threshold) {
        tried = true
        save = StreamedSave.start(store, prepareHead({ scenario: input.scenario.name, scenarioText: input.scenarioText, profile: input.profile, session: input.session }), { returnBuffers: true })
      }
      // Whole chunks only, so the writer packs the same chunk boundaries as saveRun.
      if (save) sendUpTo(log.filled - (log.filled % chunkEvents))
    }
    const output = handle.output()
    if (!save) return { output, runId: store.saveRun({ result: output.result, trace: output.trace, scenarioText: input.scenarioText, profile: input.profile, session: input.session }), streamed: false }
    sendUpTo(log.filled)
    const tail = prepareTail(output.result, log.count, [...log.tasks], [...log.causes], chunkRecords)
    const active = save
    save = undefined
    return { output, runId: await active.finish(tail), streamed: true }
  } catch (e) {
    await save?.abort()
    throw e
  }
}
