/**
 * Frozen notes arrays shared by the step results of one run. Most steps that write notes write one or
 * two of a few constant texts (`pmd: mapped`; `pud: fallback (...)` then `pmd: mapped` for every
 * device DAX fault on a 2 MiB device), so a run keeps one array per distinct list instead of one per
 * step. The arrays are frozen: StepResult.notes is a mutable array in the contract's type, nothing
 * writes to a finished result's notes, and a write would fail loudly instead of changing other steps.
 */

/** Distinct lists a run shares (texts with run data, a pfn say, are each their own beyond it). */
export const SHARED_NOTE_LISTS = 4096

export class SharedNotes {
  private readonly one = new Map<string, readonly string[]>()
  /** First text -> second text -> the shared pair. */
  private readonly two = new Map<string, Map<string, readonly string[]>>()
  private pairs = 0

  /** The shared array equal to `notes` (one or two texts), or undefined (longer, or past the limit). */
  of(notes: readonly string[]): string[] | undefined {
    if (notes.length === 1) return this.single(notes[0]!)
    if (notes.length === 2) return this.pair(notes[0]!, notes[1]!)
    return undefined
  }

  private single(text: string): string[] | undefined {
    let shared = this.one.get(text)
    if (shared === undefined) {
      if (this.one.size >= SHARED_NOTE_LISTS) return undefined
      shared = Object.freeze([text])
      this.one.set(text, shared)
    }
    return shared as string[]
  }

  private pair(first: string, second: string): string[] | undefined {
    let seconds = this.two.get(first)
    let shared = seconds?.get(second)
    if (shared === undefined) {
      if (this.pairs >= SHARED_NOTE_LISTS) return undefined
      if (seconds === undefined) this.two.set(first, (seconds = new Map()))
      shared = Object.freeze([first, second])
      seconds.set(second, shared)
      this.pairs++
    }
    return shared as string[]
  }
}
