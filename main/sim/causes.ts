/**
 * Event causes as interned ids. Every cause text the engine writes is interned once, at module load
 * or the first time a composite is derived, so the hot path passes a small integer instead of
 * building and hashing a string per page. Each run still gets its own cause table in order of first
 * use (EventLog.causes), so traces are the same as when causes were strings.
 *
 * Only texts the engine itself composes are interned here (a bounded set: constant texts, and
 * combinations of them with levels and pgmap names). Texts that carry run data (a pfn in a wait
 * reason) go to the run's own table and never stay in this module.
 */
export type CauseId = number

const texts: string[] = []
const ids = new Map<string, CauseId>()
const derived = new Map<number, CauseId>()

/** The id of `text`, interning it on first use. Call at module scope, not per event. */
export function cause(text: string): CauseId {
  let id = ids.get(text)
  if (id === undefined) {
    id = texts.length
    texts.push(text)
    ids.set(text, id)
  }
  return id
}

export function causeText(id: CauseId): string {
  const text = texts[id]
  if (text === undefined) throw new Error(`unknown cause id ${id}`)
  return text
}

/** How many causes are interned (the size EventLog's id translation table needs). */
export function causeCount(): number {
  return texts.length
}

/** The cause `base` followed by `suffix`, e.g. `munmap: unmap_region` + `: folio_put`; cached per pair. */
export function derive(base: CauseId, suffix: CauseId): CauseId {
  const key = base * 0x100000 + suffix
  let id = derived.get(key)
  if (id === undefined) {
    id = cause(causeText(base) + causeText(suffix))
    derived.set(key, id)
  }
  return id
}
