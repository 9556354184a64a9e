/**
 * Which GUP ids a later step can still name, so a released record nobody can name again is dropped
 * (a long run keeps only the GUPs still outstanding or still to be mentioned). Planned once per run
 * from the steps: one flag per step, "a later step names this step's id", filled by one backward pass
 * with a table of the ids seen. Asking about the step being run (a release names its own id) is then
 * an array read. The last-mention Map this replaces cost a cold hash lookup per release on top of the
 * planning's own insert per mention.
 */
import type { Step } from '../formats/scenario'

/** The GUP id a step names (gup, unpin, put, odirect with an id, complete), or undefined. */
export function gupIdOf(step: Step): string | undefined {
  switch (step.op) {
    case 'gup':
      return step.args.id
    case 'unpin':
    case 'put':
      return step.args.gup
    case 'odirect':
      return step.args.id
    case 'complete':
      return step.args.io
    default:
      return undefined
  }
}

export class GupLifetimes {
  private steps: readonly Step[] = []
  /** namedLater[i] is 1 when a step after i names the id step i names. */
  private namedLater = new Uint8Array(0)
  /**
   * Every id the planned steps name, in an open-addressing table sized once for the plan (at most
   * half full): slot -> 1 + the index of a step naming the id, 0 for an empty slot. A Set grew by
   * rehashing to the run's tens of thousands of ids, allocating its tables anew each time.
   */
  private slots = new Int32Array(16)

  /** Plans over `steps` (a later call replaces the plan: the concurrent part plans all steps again). */
  plan(steps: readonly Step[]): void {
    this.steps = steps
    const n = steps.length
    const namedLater = new Uint8Array(n)
    let mentions = 0
    for (let i = 0; i < n; i++) if (gupIdOf(steps[i]!) !== undefined) mentions++
    let size = 16
    while (size < 2 * mentions) size *= 2
    const slots = new Int32Array(size)
    this.slots = slots
    for (let i = n - 1; i >= 0; i--) {
      const id = gupIdOf(steps[i]!)
      if (id === undefined) continue
      const slot = this.slotOf(id)
      if (slots[slot] !== 0) namedLater[i] = 1
      else slots[slot] = i + 1
    }
    this.namedLater = namedLater
  }

  /** Does a step after `step` name `id`? */
  namedAfter(id: string, step: number): boolean {
    const current = this.steps[step]
    if (current !== undefined && gupIdOf(current) === id) return this.namedLater[step] === 1
    // A record released at a step that does not name it (the ids madvise and odirect make for
    // themselves): no step names it at all, unless a scenario happens to use the same text.
    if (this.slots[this.slotOf(id)] === 0) return false
    for (let i = Math.max(0, step + 1); i < this.steps.length; i++) if (gupIdOf(this.steps[i]!) === id) return true
    return false
  }

  /** The slot holding id, or the empty slot where it would go (FNV-1a of its UTF-16 units, linear probing). */
  private slotOf(id: string): number {
    const slots = this.slots
    const mask = slots.length - 1
    let hash = 0x811c9dc5
    for (let k = 0; k < id.length; k++) hash = Math.imul(hash ^ id.charCodeAt(k), 0x01000193)
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const at = slots[slot]!
      if (at === 0 || gupIdOf(this.steps[at - 1]!) === id) return slot
    }
  }
}
