/** The swimlane layout of a counterexample: lanes per task, columns in schedule order, racing and last marks, hover text. */
import { expect, it } from 'vitest'
import { swimlaneLayout } from '../../renderer/components/explore/swimlanes'
import type { SwimStep } from '../../main/explore/search'

const step = (task: string, label: string, pages: string[], racing: boolean, i: number): SwimStep => ({ task, step: i, op: label.split(':')[0]!, label, source: `mm/gup.c f${i}`, pages, racing })

it('puts each atomic step in its task lane at its schedule position and says why a step races', () => {
  const schedule = [step('dma', 'gup-fast: read entry', ['0x300000'], true, 3), step('trunc', 'truncate: unmap', ['0x300000'], true, 4), step('trunc', 'truncate: free', [], false, 4)]
  const layout = swimlaneLayout(['dma', 'trunc', 'idle'], schedule, 'dma_after_release')
  expect(layout.columns).toBe(3)
  expect(layout.racing).toBe(2)
  expect(layout.lanes.map((l) => [l.task, l.boxes.map((b) => b.column)])).toEqual([
    ['dma', [0]],
    ['trunc', [1, 2]],
    ['idle', []],
  ])
  const [first] = layout.lanes[0]!.boxes
  expect(first!.title).toContain('1. dma: gup-fast: read entry')
  expect(first!.title).toContain('mm/gup.c f3')
  expect(first!.title).toContain('racing: trunc also touches a page of this step')
  const last = layout.lanes[1]!.boxes[1]!
  expect(last.last).toBe(true)
  expect(last.racing).toBe(false)
  expect(last.title).toContain('this step raises dma_after_release')
  // With the violating folio: the steps touching it say so.
  const onFolio = swimlaneLayout(['dma', 'trunc'], schedule, 'dma_after_release', '0x300000')
  expect(onFolio.lanes.flatMap((l) => l.boxes.filter((b) => b.onFolio).map((b) => b.column))).toEqual([0, 1])
  expect(onFolio.lanes[0]!.boxes[0]!.title).toContain('touches the violating folio 0x300000')
  expect(layout.lanes.flatMap((l) => l.boxes).some((b) => b.onFolio)).toBe(false)
  expect(swimlaneLayout(['a'], [step('a', 'x: y', [], false, 0)], 'task_blocked').lanes[0]!.boxes[0]!.title).toContain('no task can run')
})
