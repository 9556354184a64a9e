/**
 * Plugins are found by folder scan (import.meta.glob), id == folder name: adding arch/s390/ needs no
 * edit elsewhere. The second test proves it by building a copy of arch/ with one more folder.
 */
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { archIds, collectPlugins } from '../../arch/index'

describe('arch plugin discovery', () => {
  it('every folder under arch/ with an index.ts is a registered plugin', () => {
    const folders = readdirSync('arch').filter((f) => statSync(join('arch', f)).isDirectory() && existsSync(join('arch', f, 'index.ts')))
    expect(archIds()).toEqual(folders.sort())
  })

  it('refuses a plugin whose id differs from its folder', () => {
    expect(() => collectPlugins({ './s390/index.ts': { default: { id: 'z' } } })).toThrow(/folder 's390' declares id 'z'/)
  })

  it('picks up a new folder without any other edit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daxlab-arch-'))
    try {
      cpSync('arch', join(dir, 'arch'), { recursive: true })
      const x86 = readdirSync(join(dir, 'arch', 'x86'))
      expect(x86).toContain('index.ts')
      cpSync(join(dir, 'arch', 'x86'), join(dir, 'arch', 's390'), { recursive: true })
      writeFileSync(
        join(dir, 'arch', 's390', 'index.ts'),
        "import x86 from '../x86/index'\nexport default { ...x86, id: 's390', title: 'IBM Z (test double)' }\n",
      )
      const { build } = await import('vite')
      await build({
        root: dir,
        logLevel: 'silent',
        configFile: false,
        build: { ssr: join(dir, 'arch', 'index.ts'), outDir: join(dir, 'out'), rollupOptions: { output: { format: 'es', entryFileNames: 'arch.mjs' } } },
      })
      const mod = (await import(pathToFileURL(join(dir, 'out', 'arch.mjs')).href)) as { archIds: () => string[] }
      expect(mod.archIds()).toEqual(['arm64', 'loongarch', 'powerpc', 'riscv', 's390', 'x86'])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
