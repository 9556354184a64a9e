/**
 * Caps on what a user document may ask for. Each keeps one bad (or hostile) input from exhausting the
 * process: every cap is checked before the work it bounds, and its error names the cap. Documented in
 * docs/formats.md#limits; changing one is a format change.
 */

/** Largest profile or scenario text, in bytes (UTF-16 code units for text handed over in memory). */
export const MAX_INPUT_BYTES = 16 * 2 ** 20

/**
 * Largest YAML text that is parsed with the full YAML parser (node positions for every value). Larger
 * YAML must use the one-step-per-line form the fast path reads (docs/formats.md#large-scenarios), or JSON:
 * the full parser needs about 7 KB of heap per step.
 */
export const MAX_FULL_YAML_BYTES = 2 * 2 ** 20

/** Steps per scenario: 100k-step scenarios are the bench size; this leaves room without risking the heap. */
export const MAX_STEPS = 250_000

/**
 * Distinct task names per scenario (`main`, every `task:` and every `fork` child). The event log stores
 * task ids in 16 bits (main/store/event-codec.ts); this cap stays far below 65,535 so ids never wrap.
 */
export const MAX_TASKS = 4096

/** Nesting depth of maps and lists; the real formats need 6. Deeper input is refused before it is walked. */
export const MAX_DEPTH = 64

/** YAML alias expansions (`*name`) per document: keeps "billion laughs" documents from expanding. */
export const MAX_ALIASES = 100
