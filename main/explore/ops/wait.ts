/**
 * An engine operation that blocked (OpOutcome `blocked`: a wait_var_event on a page) as an atomic
 * step that is enabled only once the page is idle — the condition the wake_up_var() re-checks
 * (fs/dax.c wait_page_idle, dax_page_is_idle; 6.14 ___wait_var_event(&page->_refcount == 1)).
 */
import { idle } from '../../sim/ops/layout'
import type { OpOutcome } from '../../sim/ops/outcome'
import type { Simulation } from '../../sim/sim'
import { continueWith, done, type Atomic, type AtomicEnd } from '../atomic'

type Blocked = Extract<OpOutcome, { status: 'blocked' }>

export function waitSteps(sim: Simulation, blocked: Blocked, key: string): Atomic {
  return {
    label: `wait: ${blocked.reason}`,
    source: 'fs/dax.c wait_page_idle / dax_page_is_idle (6.15+); ___wait_var_event (6.14)',
    key: `wait:${key}:${blocked.waitOn}`,
    waitReason: blocked.reason,
    waitOn: blocked.waitOn,
    until: () => idle(sim, blocked.waitOn),
    run: () => continueAfter(sim, blocked.resume(), key),
  }
}

export function continueAfter(sim: Simulation, outcome: OpOutcome, key: string): AtomicEnd {
  return outcome.status === 'blocked' ? continueWith(waitSteps(sim, outcome, key)) : done(outcome)
}
