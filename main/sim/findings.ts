/**
 * Findings, not only numbers: what each violation kind breaks (the rule) and what the kernel would do
 * about it (the consequence). Trace.violation() attaches both to every Violation; a call site that
 * knows better (the proposal's pgmap accounting, a specific WARN) passes its own consequence.
 * docs/formats.md#violation lists them.
 */
import type { ViolationKind } from './result'

export interface Finding {
  /** The invariant, in one sentence. */
  readonly rule: string
  /** What the kernel does when it is broken: use-after-free, DMA into a reallocated block, leak, hang, WARN. */
  readonly consequence: string
}

/** Partial so a kind added elsewhere compiles; finding() names the gap instead of inventing a consequence. */
const FINDINGS: Partial<Record<ViolationKind, Finding>> = {
  refcount_underflow: {
    rule: 'a folio refcount never drops below 0 (legacy FS DAX: below its idle 1)',
    consequence: 'use-after-free: the page is treated as free while a holder still uses it (VM_BUG_ON_FOLIO on CONFIG_DEBUG_VM)',
  },
  mapcount_underflow: {
    rule: 'a folio mapcount never drops below 0',
    consequence: '"Bad page map" / rmap accounting corruption: the page can be freed while still mapped',
  },
  pincount_underflow: {
    rule: 'a large folio _pincount never drops below 0',
    consequence: 'WARN in gup_put_folio; folio_maybe_dma_pinned() reads false while DMA may still run, so the page can be reclaimed or truncated under it',
  },
  freed_while_mapped: {
    rule: 'a folio or block is freed only when no page table maps it',
    consequence: 'use-after-free through a live mapping ("BUG: Bad page state" / "Bad page map"); the block can be handed to another file while a task still writes it',
  },
  freed_while_pinned: {
    rule: 'a folio is freed only when nobody holds a FOLL_PIN on it',
    consequence: 'DMA into a freed page: memory corruption',
  },
  dma_after_release: {
    rule: 'a filesystem frees a block only after every GUP reference to its page is dropped (the layout break waits)',
    consequence: 'DMA into a reallocated block: silent corruption of whatever file gets the block next',
  },
  task_blocked: {
    rule: 'every wait ends',
    consequence: 'hang: the task sleeps forever (an uninterruptible wait is a D-state task and a hung-task warning)',
  },
  not_idle_at_unmount: {
    rule: 'every DAX page of a filesystem is idle when it unmounts (dax_break_layout_final, 6.15+)',
    consequence: 'leaked page reference; DMA continues after unmount and a remount can reallocate blocks still under DMA',
  },
  kernel_warning: {
    rule: "the kernel's WARN_ON_ONCE assertion holds",
    consequence: 'a WARN splat (a panic with panic_on_warn); the state it guards is already wrong',
  },
  corrupt_folio_state: {
    rule: 'a folio split back to small folios leaves no large-folio metadata in its tail pages (dax_folio_put -> folio_reset_order)',
    consequence: 'the new small folio reads a stale order (PG_locked) and a bogus memcg_data: an oops in __lruvec_stat_mod_folio when it is mapped, or a folio that looks locked forever',
  },
  pgmap_ref_unbalanced: {
    rule: 'pgmap_request_folios() is only called on folios with 0 references (J. Gunthorpe, 2022-10-17)',
    consequence:
      'leaked or missing pgmap reference: the mapping does not pin the pgmap, so memunmap_pages() can tear it down while the page is mapped (use-after-free), and a later free drops a reference never taken',
  },
}

export function finding(kind: ViolationKind): Finding {
  return FINDINGS[kind] ?? { rule: `the invariant '${kind}' names`, consequence: `not classified yet: add '${kind}' to main/sim/findings.ts` }
}

/** Every kind with a finding (tests check that every kind the library can produce is here). */
export function classifiedKinds(): readonly ViolationKind[] {
  return Object.keys(FINDINGS) as ViolationKind[]
}
