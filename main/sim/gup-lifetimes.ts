/**
 * Which GUP ids a later step can still name, so a released record nobody can name again is dropped
 * (a long run keeps only the GUPs still outstanding or still to be mentioned). Planned once per run
 * from the steps: one flag per step, "a later step names this step's id", filled by one backward pass
 * with a Set of the ids seen. Asking about the step being run (a release names its own id) is then
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
  /** Every id the planned steps name. */
  private named = new Set<string>()

  /** Plans over `steps` (a later call replaces the plan: the concurrent part plans all steps again). */
  plan(steps: readonly Step[]): void {
    this.steps = steps
    this.namedLater = new Uint8Array(steps.length)
    const named = new Set<string>()
    for (let i = steps.length - 1; i >= 0; i--) {
      const id = gupIdOf(steps[i]!)
      if (id === undefined) continue
      // Set.add() says nothing about whether the id was new; the size does, without a second lookup.
      const before = named.size
      named.add(id)
      if (named.size === before) this.namedLater[i] = 1
    }
    this.named = named
  }

  /** Does a step after `step` name `id`? */
  namedAfter(id: string, step: number): boolean {
    const current = this.steps[step]
    if (current !== undefined && gupIdOf(current) === id) return this.namedLater[step] === 1
    // A record released at a step that does not name it (the ids madvise and odirect make for
    // themselves): no step names it at all, unless a scenario happens to use the same text.
    if (!this.named.has(id)) return false
    for (let i = Math.max(0, step + 1); i < this.steps.length; i++) if (gupIdOf(this.steps[i]!) === id) return true
    return false
  }
}
