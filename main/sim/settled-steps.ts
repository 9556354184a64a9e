/**
 * The results of steps that are finished for good, kept as columns instead of one object per step
 * for the whole run. Their objects are made when they are read (Scheduler.results, the run result's
 * `steps`), or a chunk at a time for the store (StepSource.range).
 *
 * Why: a run keeps every step's result to its end, so each object outlived the young generation and
 * the collector copied it twice (into the survivor space, then into the old one), with a
 * remembered-set entry for the results array on top. On the device DAX bench (120k steps) that was
 * most of what the scavenger copied (ADR 0031).
 *
 * Only a result whose keys are known from a few values is kept here: a step that ran once to its
 * end (it never waited, nothing completed it later) and whose outcome added no extra fields, signal,
 * si_code or probe. Its keys are then exactly `index, op, task, status, waited`, then `notes` when it
 * has notes, then `error, message` for an error or `message` when there is one: what the scheduler's
 * PendingResult holds after execute() and settle(), in that order (the JSON of a result is the same
 * either way). Every other result stays the scheduler's own object.
 */
import type { Step } from '../formats/scenario'
import type { OpOutcome } from './ops/outcome'
import type { StepResult } from './result'

const NOT_KEPT = 0
const OK = 1
const ERROR = 2
/** Value ids a result class holds exactly (classOf): three of them below 2^17 and a status fit in 2^53. */
const CLASS_RADIX = 2 ** 17

/** Whether settling `outcome` sets result keys beyond status, error and message. */
function setsOtherKeys(outcome: OpOutcome): boolean {
  if (outcome.status === 'ok') return outcome.extra !== undefined || outcome.signal !== undefined || outcome.si_code !== undefined || outcome.probe !== undefined
  if (outcome.status === 'error') return outcome.extra !== undefined
  return true
}

export class SettledSteps {
  private readonly status: Uint8Array
  /**
   * Per step, 1 + the index in `values` of its notes, message and error (0: none). Typed arrays
   * rather than a JS array per column: making the three arrays of 120k holes took ~9 ms of each run
   * of the device DAX bench (a CPU profile, Node 20), a zeroed typed array next to nothing.
   */
  private readonly notes: Int32Array
  private readonly message: Int32Array
  private readonly error: Int32Array
  /**
   * The values the columns name, each once: most are shared (a run's frozen notes lists, its
   * `16 pages referenced`), so a run keeps a handful. An array is found by identity, a string by
   * content.
   */
  private readonly values: unknown[] = []
  private readonly ids = new Map<unknown, number>()

  constructor(private readonly steps: readonly Step[]) {
    const n = steps.length
    this.status = new Uint8Array(n)
    this.notes = new Int32Array(n)
    this.message = new Int32Array(n)
    this.error = new Int32Array(n)
  }

  /** The id of `value` in `values` (0 for undefined). */
  private idOf(value: unknown): number {
    if (value === undefined) return 0
    let id = this.ids.get(value)
    if (id === undefined) {
      id = this.values.push(value)
      this.ids.set(value, id)
    }
    return id
  }

  private valueOf<T>(id: number): T | undefined {
    return id === 0 ? undefined : (this.values[id - 1] as T)
  }

  /**
   * Keeps the result of step `index`, settled from `outcome`, when its keys are the known ones (see
   * above) and returns true: the caller then drops the object.
   */
  keep(index: number, result: StepResult, outcome: OpOutcome): boolean {
    if (setsOtherKeys(outcome) || result.waited || result.completed_after !== undefined) return false
    if (result.status === 'ok' && result.error === undefined) this.put(index, OK, result.notes, result.message, undefined)
    else if (result.status === 'error') this.put(index, ERROR, result.notes, result.message, result.error)
    else return false
    return true
  }

  /**
   * keep() for a step run once as it came, from its outcome and notes before any object is made:
   * what settle() would have put in a new PendingResult and keep() then taken. An ok step's message
   * only when it is not empty (settle() sets it only then); an error's error and message as they are.
   * False, keeping nothing, for an outcome keep() would refuse.
   */
  keepOutcome(index: number, notes: string[] | undefined, outcome: OpOutcome): boolean {
    if (setsOtherKeys(outcome)) return false
    if (outcome.status === 'ok') this.put(index, OK, notes, outcome.message ? outcome.message : undefined, undefined)
    else if (outcome.status === 'error') this.put(index, ERROR, notes, outcome.message, outcome.error)
    else return false
    return true
  }

  /** Writes one kept result's columns. */
  private put(index: number, status: typeof OK | typeof ERROR, notes: string[] | undefined, message: string | undefined, error: string | undefined): void {
    this.status[index] = status
    this.notes[index] = this.idOf(notes)
    this.message[index] = this.idOf(message)
    this.error[index] = this.idOf(error)
  }

  /**
   * The class of step `index`'s kept result, for record packing (RangeSource.classes): its status and
   * the ids of its notes, message and error in one number, 0 when it is not kept here (or an id is
   * too large for the number to be exact). Kept results of one class and the same op and task are
   * made by the same literal in make() from the same values, so they differ only in `index`.
   */
  classOf(index: number): number {
    const status = this.status[index]!
    const notes = this.notes[index]!
    const message = this.message[index]!
    const error = this.error[index]!
    if (status === NOT_KEPT || notes >= CLASS_RADIX || message >= CLASS_RADIX || error >= CLASS_RADIX) return 0
    // Below 3 * 2^51 (ids < 2^17 each): an exact integer, and never 0 (status is 1 or 2).
    return ((notes * CLASS_RADIX + message) * CLASS_RADIX + error) * 3 + status
  }

  /** Whether step `index`'s result is kept here. */
  has(index: number): boolean {
    return this.status[index] !== NOT_KEPT
  }

  /**
   * A new object for the kept result of step `index`. One literal per key set, so each object is made
   * with its keys in place: adding keys to a smaller literal gave every object a separate property
   * store, and making them cost more than the collector's work saved.
   */
  make(index: number): StepResult {
    const step = this.steps[index]!
    const n = this.valueOf<string[]>(this.notes[index]!)
    const m = this.valueOf<string>(this.message[index]!)
    const { op, task } = step
    if (this.status[index] === ERROR) {
      const error = this.valueOf<string>(this.error[index]!)
      return n !== undefined ? { index, op, task, status: 'error', waited: false, notes: n, error, message: m } : { index, op, task, status: 'error', waited: false, error, message: m }
    }
    if (n !== undefined) return m !== undefined ? { index, op, task, status: 'ok', waited: false, notes: n, message: m } : { index, op, task, status: 'ok', waited: false, notes: n }
    return m !== undefined ? { index, op, task, status: 'ok', waited: false, message: m } : { index, op, task, status: 'ok', waited: false }
  }
}
