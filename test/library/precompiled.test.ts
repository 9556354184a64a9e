// The precompiled built-in library (main/library/compile.ts via scripts/builtin-library-plugin.ts) must be
// exactly what parsing scenarios/*.yaml and scenarios/profiles/*.yaml gives today, read from disk here,
// so the module the builds serve can never drift from the YAML, the only source of truth.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FormatError } from '../../main/formats/errors'
import { parseProfileText, parseScenarioText } from '../../main/formats/load'
import { compileLibrary } from '../../main/library/compile'
import { builtinProfile, builtinProfileNames, builtinProfileText, builtinScenario, builtinScenarioNames, builtinScenarioText, scenarioFromText } from '../../main/library/index'

const root = join(import.meta.dirname, '../..')
const yamlIn = (folder: string) =>
  readdirSync(join(root, folder))
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => ({ name: n.replace(/\.yaml$/, ''), file: `${folder}/${n}`, text: readFileSync(join(root, folder, n), 'utf8') }))
    .sort((a, b) => a.name.localeCompare(b.name))

describe('precompiled built-in library', () => {
  it('holds every scenario file, with its text and the document parsing it gives', () => {
    const files = yamlIn('scenarios')
    expect(files.length).toBeGreaterThan(50)
    expect(builtinScenarioNames()).toEqual(files.map((f) => f.name))
    for (const f of files) {
      expect(builtinScenarioText(f.name)).toEqual({ file: f.file, text: f.text })
      // toStrictEqual: the JSON round trip may not lose a key, a value or a number's type.
      expect(builtinScenario(f.name), f.file).toStrictEqual(JSON.parse(JSON.stringify(parseScenarioText(f.text, f.file))))
      expect(builtinScenario(f.name), f.file).toEqual(parseScenarioText(f.text, f.file))
    }
  })

  it('holds every profile file, with its text and the document parsing it gives', () => {
    const files = yamlIn('scenarios/profiles')
    expect(builtinProfileNames()).toEqual(files.map((f) => f.name))
    for (const f of files) {
      expect(builtinProfileText(f.name)).toEqual({ file: f.file, text: f.text })
      expect(builtinProfile(f.name), f.file).toEqual(parseProfileText(f.text, f.file))
    }
  })

  it('hands every caller its own object', () => {
    const name = builtinScenarioNames()[0]!
    const a = builtinScenario(name)!
    ;(a as { name: string }).name = 'changed'
    expect(builtinScenario(name)!.name).toBe(name)
  })

  it('scenarioFromText: a built-in text is the precompiled document; any other text is parsed with line-precise errors', () => {
    const f = yamlIn('scenarios')[0]!
    expect(scenarioFromText(f.text, 'x.yaml')).toEqual(parseScenarioText(f.text, f.file))
    const edited = f.text.replace(/^name: .*$/m, 'name: edited-copy')
    expect(scenarioFromText(edited, 'copy.yaml').name).toBe('edited-copy')
    const bad = 'name: bad\ndescription: d\nprofile: x86-devdax-1g\nsteps:\n  - mmap: {id: m, device: dax0, length: nonsense}\n'
    const err = (() => {
      try {
        scenarioFromText(bad, 'bad.yaml')
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(FormatError)
    expect((err as Error).message).toMatch(/^bad\.yaml:5\b/)
  })

  it('a built-in that does not validate fails the build with the file and line', () => {
    expect(() => compileLibrary({ 'scenarios/broken.yaml': 'name: broken\nsteps: 7\n' }, {})).toThrow(/scenarios\/broken\.yaml:2/)
  })
})
