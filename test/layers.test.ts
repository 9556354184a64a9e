/**
 * The layer rules are enforced by lint (and the pure tsconfig's empty `types`/DOM-less `lib`); this
 * proves the rules bite: each forbidden import is reported in the layer that may not use it.
 */
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint()

async function problems(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result!.messages.map((m) => m.ruleId ?? m.message)
}

describe('layer rules', () => {
  it.each([
    ["import { readFileSync } from 'node:fs'\nexport const f = readFileSync\n", 'main/sim/probe-layer.ts'],
    ["import { readFileSync } from 'fs'\nexport const f = readFileSync\n", 'main/formats/probe-layer.ts'],
    ["import Database from 'better-sqlite3'\nexport const d = Database\n", 'main/sim/probe-layer.ts'],
    ["import { app } from 'electron'\nexport const a = app\n", 'main/store/probe-layer.ts'],
    ["import { app } from 'electron'\nexport const a = app\n", 'main/cli/probe-layer.ts'],
    ["import { kernelModel } from '../main/sim/kernel-model'\nexport const k = kernelModel\n", 'arch/probe-layer.ts'],
    ["import { TraceStore } from '../../main/store/trace-store'\nexport const s = TraceStore\n", 'renderer/stores/probe-layer.ts'],
    ["import { ipcRenderer } from 'electron'\nexport const i = ipcRenderer\n", 'renderer/probe-layer.ts'],
  ])('rejects %j in %s', async (code, file) => {
    expect(await problems(code, file)).toContain('no-restricted-imports')
  })

  it('rejects Node globals in the pure layer', async () => {
    expect(await problems('export const env = process.env\n', 'main/sim/probe-layer.ts')).toContain('no-restricted-globals')
  })

  it('allows what each layer may use', async () => {
    expect(await problems("import { readFileSync } from 'node:fs'\nexport const f = readFileSync\n", 'main/store/probe-layer.ts')).toEqual([])
    expect(await problems("import { app } from 'electron'\nexport const a = app\n", 'main/app/probe-layer.ts')).toEqual([])
    expect(await problems("import { kernel } from '../kernel'\nexport const k = kernel\n", 'arch/x86/probe-layer.ts')).toEqual([])
  })

  it('rejects focused and skipped tests', async () => {
    const focused = ['it', 'only'].join('.') // spelled out so this file is not itself a focused test
    expect(await problems(`import { it } from 'vitest'\n${focused}('x', () => {})\n`, 'test/probe-layer.test.ts')).toContain('no-restricted-syntax')
  })
})
