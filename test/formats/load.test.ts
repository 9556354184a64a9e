/** Loading user documents: each bad input gets one clear error naming the field or line and the limit. */
import { describe, expect, it } from 'vitest'
import { FormatError } from '../../main/formats/errors'
import { parseFastYaml, parseProfileText, parseScenarioText, readDocument } from '../../main/formats/load'
import { MAX_DEPTH, MAX_FULL_YAML_BYTES, MAX_INPUT_BYTES, MAX_STEPS, MAX_TASKS } from '../../main/formats/limits'
import { STEP_OPS } from '../../main/formats/scenario'

const HEAD = 'name: a\ndescription: b\nprofile: x86-pmem-fsdax\n'

function errorOf(fn: () => unknown): FormatError {
  try {
    fn()
  } catch (err) {
    if (err instanceof FormatError) return err
    throw new Error(`expected a FormatError, got ${String(err)}`, { cause: err })
  }
  throw new Error('expected a FormatError, got success')
}

describe('look-ups by user-supplied names', () => {
  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', '__defineGetter__'])('a step named %s is an unknown operation', (op) => {
    const err = errorOf(() => parseScenarioText(`${HEAD}steps:\n  - ${op}: {}\n`, 's.yaml'))
    expect(err.message).toBe(`s.yaml:5: steps[0].${op}: unknown operation '${op}' (one of: ${STEP_OPS.join(', ')})`)
    expect(STEP_OPS).toEqual(expect.arrayContaining(['create', 'write', 'mmap', 'access', 'gup', 'unpin', 'put', 'munmap', 'fork', 'exit', 'truncate', 'punch_hole', 'unlink', 'umount', 'mlock', 'memory_failure', 'kill', 'probe', 'migrate', 'mirror', 'snapshot', 'unbind']))
  })

  it('a prototype name as a kernel is refused with the accepted forms', () => {
    const err = errorOf(() => parseScenarioText(`${HEAD}kernel: constructor\nsteps:\n  - exit: {}\n`, 's.yaml'))
    expect(err.message).toBe("s.yaml:4: kernel: 'constructor' is not a kernel release like 6.14 or 6.15.2, nor an alias: legacy (6.14), refcounted (6.17), nor a named model: proposal-2022")
  })

  it('an argument named __proto__ is an unknown key, not a prototype change', () => {
    const err = errorOf(() => parseScenarioText(`${HEAD}steps:\n  - exit: {__proto__: {task: x}}\n`, 's.yaml'))
    expect(err.issues).toEqual([{ path: 'steps[0].exit', reason: 'Unrecognized key: "__proto__"', line: 5 }])
  })
})

describe('kernel field', () => {
  it('accepts an unquoted release that reads back as written', () => {
    expect(parseScenarioText(`${HEAD}kernel: 6.14\nsteps:\n  - exit: {}\n`, 's.yaml').kernel).toBe('6.14')
    expect(parseScenarioText(`{"name":"a","description":"b","profile":"p","kernel":6.16,"steps":[{"exit":{}}]}`, 's.json').kernel).toBe('6.16')
  })

  it('says to quote a release YAML would misread', () => {
    const err = errorOf(() => parseScenarioText(`${HEAD}kernel: 6.10\nsteps:\n  - exit: {}\n`, 's.yaml'))
    expect(err.message).toBe('s.yaml:4: kernel: 6.10 reads as the number 6.1, not a release: quote it (kernel: "6.10")')
  })

  it('names the modelled range and the newest release', () => {
    const err = errorOf(() => parseScenarioText(`${HEAD}kernel: "8.0"\nsteps:\n  - exit: {}\n`, 's.yaml'))
    expect(err.message).toContain('kernel 8.0 is not modelled: the lab models 6.1 and later, up to 7.x (the newest release it names is 6.18)')
  })
})

describe('union errors name the alternatives', () => {
  it('an inline profile reports its own field errors, not "Invalid input"', () => {
    const text = `name: a\ndescription: b\nprofile:\n  arch: x86\n  regions:\n    - {name: q, type: fsdax, size: true, fs: ext4, mount: /m}\nsteps:\n  - exit: {}\n`
    const err = errorOf(() => parseScenarioText(text, 's.yaml'))
    expect(err.message).toBe('s.yaml:6: profile.regions[0].size: expected string or number, received boolean')
  })

  it('a profile of the wrong type says what is accepted', () => {
    const err = errorOf(() => parseScenarioText('name: a\ndescription: b\nprofile: [1]\nsteps:\n  - exit: {}\n', 's.yaml'))
    expect(err.message).toBe('s.yaml:3: profile: expected a built-in profile name or an inline profile map, got a list')
  })

  it('never says only "Invalid input"', () => {
    const err = errorOf(() => parseProfileText('arch: x86\nregions:\n  - {name: r, type: fsdax, size: [], fs: ext4, mount: /m}\n', 'p.yaml'))
    expect(err.message).not.toMatch(/Invalid input$/m)
  })
})

describe('caps', () => {
  it('refuses text over the size cap before parsing it', () => {
    const err = errorOf(() => readDocument('#'.repeat(MAX_INPUT_BYTES + 1), 'big.yaml'))
    expect(err.message).toBe(`big.yaml: the file is 16.0 MiB: at most ${MAX_INPUT_BYTES / 2 ** 20} MiB`)
  })

  it('refuses deep nesting with the limit, in YAML flow, YAML block and JSON', () => {
    const flow = `name: ${'['.repeat(1000)}${']'.repeat(1000)}\n`
    expect(errorOf(() => parseScenarioText(flow, 'd.yaml')).message).toBe(`d.yaml:1: nested too deeply: at most ${MAX_DEPTH} levels of maps and lists`)
    const json = `{"name": ${'['.repeat(5000)}${']'.repeat(5000)}}`
    expect(errorOf(() => parseScenarioText(json, 'd.json')).message).toContain(`nested too deeply: at most ${MAX_DEPTH} levels`)
    const block = Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n'
    expect(errorOf(() => parseScenarioText(block, 'b.yaml')).message).toContain(`nested too deeply: at most ${MAX_DEPTH} levels`)
  })

  it('refuses a billion-laughs document by its alias cap', () => {
    const text = 'a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n'
    expect(errorOf(() => parseScenarioText(text, 'l.yaml')).message).toBe('l.yaml: too many alias expansions (*name): at most 100 per document')
  })

  it('refuses more steps than the cap', () => {
    const steps = Array.from({ length: MAX_STEPS + 1 }, () => ({ exit: {} }))
    const err = errorOf(() => parseScenarioText(JSON.stringify({ name: 'a', description: 'b', profile: 'p', steps }), 's.json'))
    // JSON over MAX_FULL_YAML_BYTES: the field path, without a line (no second parse for positions).
    expect(err.issues).toEqual([{ path: 'steps', reason: `at most ${MAX_STEPS} steps`, line: undefined }])
  })

  it('refuses more distinct tasks than the cap, at the step that adds one too many', () => {
    const steps = Array.from({ length: MAX_TASKS }, (_, i) => ({ fork: { child: `t${i}` } }))
    const err = errorOf(() => parseScenarioText(JSON.stringify({ name: 'a', description: 'b', profile: 'p', steps }), 's.json'))
    expect(err.issues).toEqual([{ path: `steps[${MAX_TASKS - 1}]`, reason: `more than ${MAX_TASKS} distinct tasks (main, task: names and fork children): at most ${MAX_TASKS}`, line: 1 }])
    const ok = steps.slice(0, MAX_TASKS - 1)
    expect(parseScenarioText(JSON.stringify({ name: 'a', description: 'b', profile: 'p', steps: ok }), 's.json').steps).toHaveLength(MAX_TASKS - 1)
  })

  it('refuses big YAML the fast path cannot read, naming the forms that work', () => {
    const step = '  - probe:\n      map: m\n'
    const text = `${HEAD}steps:\n${step.repeat(Math.ceil(MAX_FULL_YAML_BYTES / step.length) + 1)}`
    expect(errorOf(() => parseScenarioText(text, 'big.yaml')).message).toBe("big.yaml: YAML over 2 MiB must write each step on one line as a flow map ('- probe: {map: m}'), or be JSON")
  })
})

describe('library internals stay out of messages', () => {
  it('two documents in one file', () => {
    const err = errorOf(() => parseScenarioText('name: a\n---\nname: b\n', 'two.yaml'))
    expect(err.message).toBe("two.yaml:2: a file holds one document: remove the second '---' and what follows, or split the file")
  })
})

describe('regressions found by the property tests', () => {
  it('a second top-level steps key is a duplicate for the full parser, not read by the fast path', () => {
    // test/fuzz/fast-steps.fuzz.test.ts counterexample [["  - probe: {}"], "steps: []\n"]
    const text = 'name: n\nsteps:\n  - probe: {}\nsteps: []\n'
    expect(parseFastYaml(text)).toBeUndefined()
    expect(errorOf(() => parseScenarioText(text, 'dup.yaml')).message).toMatch(/^dup\.yaml:4: Map keys must be unique/)
  })
})

describe('many problems in one document', () => {
  it('the message spells out the first 20 and counts the rest; issues keeps them all', () => {
    const steps = Array.from({ length: 25 }, (_, i) => `  - {op: access, task: main, args: {offset: ${i}}}\n`).join('')
    const err = errorOf(() => parseScenarioText(`${HEAD}steps:\n${steps}`, 's.yaml'))
    expect(err.issues).toHaveLength(25)
    const lines = err.message.split('\n')
    expect(lines).toHaveLength(21)
    expect(lines[0]).toBe('s.yaml:5: steps[0]: a step has exactly one key naming its operation, found op, task, args')
    expect(lines[19]).toMatch(/^s\.yaml:24: steps\[19\]: /)
    expect(lines[20]).toBe('s.yaml: and 5 more problems (the first 20 are shown)')
  })

  it('up to 20 problems are all spelled out', () => {
    const steps = Array.from({ length: 20 }, () => '  - {op: exit}\n').join('')
    expect(errorOf(() => parseScenarioText(`${HEAD}steps:\n${steps}`, 's.yaml')).message.split('\n')).toHaveLength(20)
  })
})
