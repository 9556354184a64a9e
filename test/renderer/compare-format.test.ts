/** How the compare table writes one run's values at a step. */
import { expect, it } from 'vitest'
import { differingFields, valueParts } from '../../renderer/components/compare/compare-format'

it('writes fields in a fixed order with short names and marks the differing ones', () => {
  expect(valueParts({ refcount: '2', status: 'ok', pincount: '0', mapcount: '1' }, ['refcount'])).toEqual([
    { field: 'status', text: 'ok', differs: false },
    { field: 'refcount', text: 'ref 2', differs: true },
    { field: 'mapcount', text: 'map 1', differs: false },
    { field: 'pincount', text: 'pin 0', differs: false },
  ])
})

it('shows a differing field this run lacks as absent, so both sides are marked', () => {
  expect(valueParts({ status: 'ok' }, ['waited', 'error'])).toEqual([
    { field: 'status', text: 'ok', differs: false },
    { field: 'waited', text: 'no wait', differs: true },
    { field: 'error', text: 'no error', differs: true },
  ])
  expect(valueParts({ status: 'ok', patch: 'on' }, ['patch'])).toEqual([
    { field: 'status', text: 'ok', differs: false },
    { field: 'patch', text: 'patch on', differs: true },
  ])
})

it('names the summary fields that are not equal in every run', () => {
  expect([...differingFields([{ kernel: '6.14', arch: 'x86' }, { kernel: '6.17', arch: 'x86' }], ['kernel', 'arch'])]).toEqual(['kernel'])
})
