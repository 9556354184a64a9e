/** The explore contract's constants stay equal to the formats' limits they mirror. */
import { expect, it } from 'vitest'
import { MAX_REPLAY_CHOICES } from '../../main/contract/explore'
import { MAX_SCHEDULE_CHOICES } from '../../main/formats/schedule'

it('lets runScenario replay exactly as many choices as a schedule file may hold', () => {
  expect(MAX_REPLAY_CHOICES).toBe(MAX_SCHEDULE_CHOICES)
})
