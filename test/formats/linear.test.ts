/**
 * Big inputs stay linear in the number of steps, shown by counting, not timing (timing is the bench's):
 * for 1k, 10k and 100k steps, the full YAML parser is handed the same few header bytes (the steps are
 * read line by line), JSON never reaches it, and every step comes back once.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type * as Yaml from 'yaml'

const handed: number[] = []
vi.mock('yaml', async (importOriginal) => {
  const yaml = await importOriginal<typeof Yaml>()
  return {
    ...yaml,
    parseDocument: (text: string, ...rest: unknown[]) => {
      handed.push(text.length)
      return (yaml.parseDocument as (...a: unknown[]) => unknown)(text, ...rest)
    },
  }
})

const { parseScenarioText } = await import('../../main/formats/load')

function yamlScenario(steps: number): string {
  const lines = ['name: big', 'description: generated', 'profile: x86-pmem-fsdax', 'steps:', '  - create: {file: /mnt/pmem0/data, length: 64KiB}', '  - mmap: {id: m, file: /mnt/pmem0/data, length: 64KiB}']
  for (let i = 2; i < steps; i++) lines.push(`  - probe: {label: p${i}, map: m, offset: ${(i % 16) * 4096}}`)
  return lines.join('\n') + '\n'
}

afterEach(() => {
  handed.length = 0
})

describe('parse work grows linearly with steps', () => {
  it.each([1_000, 10_000, 100_000])('YAML, %i steps: the full parser sees only the header', (n) => {
    const scenario = parseScenarioText(yamlScenario(n), 'big.yaml')
    expect(scenario.steps).toHaveLength(n)
    expect(scenario.steps[n - 1]).toMatchObject({ op: 'probe', args: { label: `p${n - 1}`, map: 'm' } })
    // One parse, of the lines around the steps block: the same size whatever n is.
    expect(handed).toEqual([63])
  })

  it.each([1_000, 10_000, 100_000])('JSON, %i steps: JSON.parse only', (n) => {
    const steps = [{ create: { file: '/mnt/pmem0/data', length: '64KiB' } }, ...Array.from({ length: n - 1 }, (_, i) => ({ probe: { label: `p${i}`, file: '/mnt/pmem0/data' } }))]
    const scenario = parseScenarioText(JSON.stringify({ name: 'big', description: 'generated', profile: 'x86-pmem-fsdax', steps }), 'big.json')
    expect(scenario.steps).toHaveLength(n)
    expect(handed).toEqual([])
  })

  it('an error in step 99,999 of a fast-read file still names its line, without a full parse', () => {
    const text = yamlScenario(100_000).replace('  - probe: {label: p99998, map: m', '  - probe: {label: p99998, map: m, bogus: 1')
    expect(() => parseScenarioText(text, 'big.yaml')).toThrow('big.yaml:100003: steps[99998].probe: Unrecognized key: "bogus"')
    expect(handed).toEqual([63])
  })
})
