/** `daxlab scenarios list`: grouped by topic (tags[0], else the name prefix) in text, a `topic` field in --json. */
import { beforeAll, describe, expect, it } from 'vitest'
import { builtinScenario, builtinScenarioNames } from '../../main/library/index'
import { scenarioTopic } from '../../main/library/topic'
import { daxlab, ensureCli } from './cli-helpers'

describe('daxlab scenarios list', () => {
  beforeAll(ensureCli, 120_000)
  it('--json adds topic to every entry and keeps the other fields', () => {
    const rows = JSON.parse(daxlab(['scenarios', 'list', '--json']).stdout) as { name: string; topic: string; profile: string; steps: number; description: string }[]
    expect(rows.map((r) => r.name)).toEqual(builtinScenarioNames())
    expect(rows.find((r) => r.name === 'fsdax-memory-failure-bystander')).toMatchObject({ topic: 'memory-failure' })
    expect(rows.find((r) => r.name === 'proposal-2022-map-to-truncate')!.topic).toBe('proposal-2022')
    expect(rows.find((r) => r.name === 'fsdax-pin-unpin')!.topic).toBe('fsdax')
    for (const r of rows) expect(r.topic).toBe(scenarioTopic(r.name, builtinScenario(r.name)))
  })
  it('text: a topic column, each topic named once at the head of its group', () => {
    const lines = daxlab(['scenarios', 'list']).stdout.split('\n')
    expect(lines[0]).toMatch(/^topic\s+name\s+source\s+profile\s+steps\s+description/)
    const body = lines.slice(2).filter((l) => l.trim() !== '')
    const heads = body.map((l) => l.split(/\s+/)[0]).filter((t) => t !== '' && !builtinScenarioNames().includes(t!))
    expect(heads).toEqual([...new Set(heads)]) // each topic appears once
    expect(heads).toEqual([...heads].sort())
    expect(heads).toContain('proposal-2022')
    const at = body.findIndex((l) => l.startsWith('proposal-2022 '))
    expect(body[at]).toContain('proposal-2022-map-to-truncate')
    expect(body[at + 1]).toMatch(/^\s+proposal-2022-release-with-pin/)
  })
})
