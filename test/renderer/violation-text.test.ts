import { expect, it } from 'vitest'
import { violationTitle, violationsTitle } from '../../renderer/components/run/violation-text'

it('words a violation as the CLI does: found, then rule and consequence when recorded', () => {
  const v = { kind: 'freed_while_pinned' as const, step: 4, message: 'pincount 1 at exit', pfn: '0x240000', rule: 'every pin is unpinned', consequence: 'the page can never be freed' }
  expect(violationTitle(v)).toBe('freed_while_pinned folio 0x240000: pincount 1 at exit\nrule: every pin is unpinned\nconsequence: the page can never be freed')
  // A run stored before findings were recorded: only what was found.
  expect(violationTitle({ kind: 'freed_while_pinned', step: 4, message: 'pincount 1 at exit' })).toBe('freed_while_pinned: pincount 1 at exit')
  expect(violationsTitle([v, { kind: 'freed_while_pinned', step: 4, message: 'again' }]).split('\n\n')).toHaveLength(2)
})
