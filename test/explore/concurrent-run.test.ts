/**
 * The `concurrent:` block in an ordinary run: the default round-robin schedule, replayed schedules,
 * the locks that keep schedules the kernel cannot take out, and the format's errors.
 */
import { describe, expect, it } from 'vitest'
import { parseScenarioText } from '../../main/formats/load'
import { ScheduleError } from '../../main/explore/concurrent-run'
import { runYaml } from '../sim/helpers'
import { PIN_VS_TRUNCATE } from './helpers'

const kinds = (r: { violations: { kind: string }[] }) => r.violations.map((v) => v.kind)

describe('default schedule (round-robin by task order)', () => {
  it('interleaves the atomic steps and records the schedule; GUP-fast sees its PTE zapped and falls back (6.14)', () => {
    const { result, schedule } = runYaml(PIN_VS_TRUNCATE, '6.14')
    // dma reads the PTE, trunc takes the invalidate_lock and clears it, dma grabs; trunc's TLB flush
    // (an IPI on x86) waits for dma's interrupts-off walk, so dma re-checks before trunc goes on.
    expect(schedule!.slice(0, 5)).toEqual(['dma', 'trunc', 'dma', 'dma', 'trunc'])
    const gup = result.steps[3]!
    expect(gup.op).toBe('gup')
    // The re-check found the PTE gone: gup_put_folio and the slow path, whose fault (invalidate_lock
    // shared) could only run after the truncate: the file is empty, so the fault fails.
    expect(gup.notes).toContain('gup-fast: entry at page 0 changed after try_grab_folio_fast; gup_put_folio, slow path')
    expect(gup.status).toBe('error')
    expect(gup.error).toBe('EFAULT')
    expect(result.steps[5]!.status).toBe('ok') // the truncate
    expect(kinds(result)).toEqual([])
    // The idle legacy page is back at refcount 1 (the transient GUP-fast reference was dropped).
    expect(result.folios[0]!.refcount).toBe(1)
  })

  it('on 6.15 the transient reference is taken before the batched put, and the page ends free', () => {
    const { result } = runYaml(PIN_VS_TRUNCATE, '6.15')
    expect(kinds(result)).toEqual([])
    expect(result.folios[0]!.refcount).toBe(0)
  })
})

describe('replayed schedules', () => {
  it('each task to completion in order: the pin lands first, truncate waits for the unpin', () => {
    const { result, schedule } = runYaml(PIN_VS_TRUNCATE, '6.15', { schedule: ['dma', 'dma', 'dma', 'dma'] })
    expect(schedule!.slice(0, 4)).toEqual(['dma', 'dma', 'dma', 'dma'])
    expect(result.steps[3]!.status).toBe('ok')
    expect(result.steps[3]!.message).toBe('1 pages pinned')
    expect(result.steps[5]!.status).toBe('ok')
    expect(kinds(result)).toEqual([])
  })

  it('refuses a choice naming a task that cannot run there, naming the choice', () => {
    // The pin is complete; truncate unmaps, puts, finds the pinned page busy and waits for the unpin.
    const run = () => runYaml(PIN_VS_TRUNCATE, '6.15', { schedule: ['dma', 'dma', 'dma', 'dma', 'trunc', 'trunc', 'trunc', 'trunc'] })
    expect(run).toThrow(ScheduleError)
    expect(run).toThrow(/choices\[7\]: task 'trunc' cannot run at this point \(its next step 'wait_page_idle on 0x300000 \(pmem0\+0x0\)' is waiting\)/)
  })

  it('x86: a TLB flush cannot complete while another task is inside GUP-fast (interrupts off)', () => {
    // dma has read, grabbed and re-checked (its walk is still on); trunc cleared the PTE and flushes.
    const replay = (arch: string) => runYaml(PIN_VS_TRUNCATE, '6.15', { arch, schedule: ['dma', 'dma', 'dma', 'trunc', 'trunc'] })
    expect(() => replay('x86')).toThrow(/choices\[4\]: task 'trunc' cannot run at this point \(its next step 'tlb_finish_mmu: flush, put batched folios' is waiting\)/)
    // arm64 flushes by broadcast TLBI: no fence, the same schedule runs.
    expect(replay('arm64').schedule!.slice(0, 5)).toEqual(['dma', 'dma', 'dma', 'trunc', 'trunc'])
  })

  it('refuses a choice naming no concurrent task', () => {
    expect(() => runYaml(PIN_VS_TRUNCATE, '6.15', { schedule: ['nobody'] })).toThrow(/choices\[0\]: 'nobody' is not a concurrent task/)
  })
})

describe('locks', () => {
  it('a fault cannot run while truncate holds the invalidate_lock: the replay is refused', () => {
    const text = `
name: fault-vs-truncate
description: a fault racing a truncate
profile: x86-pmem-fsdax
steps:
  - create: {file: /mnt/pmem0/data, length: 8KiB}
  - mmap: {task: a, id: m, file: /mnt/pmem0/data, length: 8KiB}
concurrent:
  - task: a
    steps:
      - access: {map: m, offset: 0, write: true}
  - task: t
    steps:
      - truncate: {file: /mnt/pmem0/data, length: 4KiB}
`
    // t takes the invalidate_lock (and unmaps); a's fault then needs it shared.
    expect(() => runYaml(text, '6.17', { schedule: ['t', 'a', 'a'] })).toThrow(/choices\[2\]: task 'a' cannot run at this point \(its next step 'fault: invalidate_lock shared, grab_mapping_entry \(lock entry\)' needs a lock another task holds\)/)
  })
})

describe('format', () => {
  const base = (concurrent: string) => `
name: x
description: x
profile: x86-pmem-fsdax
steps:
  - create: {file: /mnt/pmem0/data, length: 4KiB}
concurrent:
${concurrent}`
  it('names the field of a step that runs as another task', () => {
    expect(() => parseScenarioText(base('  - task: a\n    steps:\n      - truncate: {task: b, file: /mnt/pmem0/data, length: 0}\n'), 's.yaml')).toThrow(/concurrent\[0\]\.steps\[0\]\.truncate\.task: a step of concurrent task 'a' cannot run as task 'b'/)
  })
  it('refuses a task named twice and kill inside concurrent', () => {
    expect(() => parseScenarioText(base('  - task: a\n    steps: [{exit: {}}]\n  - task: a\n    steps: [{exit: {}}]\n'), 's.yaml')).toThrow(/concurrent\[1\]\.task: task 'a' appears twice/)
    expect(() => parseScenarioText(base('  - task: a\n    steps: [{kill: {target: b}}]\n'), 's.yaml')).toThrow(/kill is not supported inside concurrent/)
  })
  it('refuses an empty task and unknown keys', () => {
    expect(() => parseScenarioText(base('  - task: a\n    steps: []\n'), 's.yaml')).toThrow(/concurrent\[0\]\.steps: a concurrent task needs at least one step/)
    expect(() => parseScenarioText(base('  - task: a\n    stepz: []\n'), 's.yaml')).toThrow(/stepz/)
  })
})
