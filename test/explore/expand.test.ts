/**
 * Expander (main/explore/expand.ts): the last child of an expansion keeps the node's live machine,
 * so expanding that child needs no replay, and its expansion equals one from a fresh replay.
 */
import { expect, it } from 'vitest'
import { builtinScenario, resolveProfile } from '../../main/library/index'
import { Expander } from '../../main/explore/expand'

const scenario = builtinScenario('race-locked-entry-skip')!
const profile = resolveProfile(scenario, 'race-locked-entry-skip')

it('expanding the last child starts from the kept machine (no replay) and gives what a fresh replay gives', () => {
  const live = new Expander(scenario, profile, { kernel: '6.15' })
  const root = live.expand({ choices: [], last: -1, preemptions: 0 }, new Set())
  if (!('children' in root)) throw new Error('the root has children')
  expect(root.children.length).toBeGreaterThan(1)
  // One replay per child (the last one reuses the root's replay).
  expect(live.replays).toBe(root.children.length)
  const last = root.children.at(-1)!
  const node = { choices: [last.task], last: last.task, preemptions: 0 }
  const before = live.replays
  const fromKept = live.expand(node, new Set())
  if (!('children' in fromKept)) throw new Error('the child has children')
  expect(live.replays - before).toBe(fromKept.children.length - 1)
  expect(fromKept).toEqual(new Expander(scenario, profile, { kernel: '6.15' }).expand(node, new Set()))
  // A node expanded once is not kept again: a second expansion replays.
  const again = live.replays
  live.expand(node, new Set())
  expect(live.replays - again).toBe(fromKept.children.length)
})
