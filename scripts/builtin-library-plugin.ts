/**
 * The build step that precompiles the built-in library (docs/adr/0020-precompiled-library-and-sweep-threads.md):
 * a Vite plugin serving `virtual:daxlab-builtin-library`, the scenarios/*.yaml and scenarios/profiles/*.yaml
 * files parsed and validated by main/library/compile.ts. Every build that bundles main/library uses it
 * (vite.cli.config.ts, electron.vite.config.ts, vite.bench-ui.config.ts, vitest.config.ts), so the module
 * is regenerated from the YAML on every build and test run: the YAML stays the only source of truth.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { runnerImport, type Plugin } from 'vite'
import type { LibraryTexts, PrecompiledLibrary } from '../main/library/compile'

export const BUILTIN_LIBRARY_MODULE = 'virtual:daxlab-builtin-library'
const resolvedId = '\0' + BUILTIN_LIBRARY_MODULE

/** The .yaml files of one folder, keyed by their repository-relative path. */
function readYamlFolder(root: string, folder: string): { texts: LibraryTexts; files: string[] } {
  const texts: Record<string, string> = {}
  const files: string[] = []
  for (const name of readdirSync(join(root, folder)).filter((n) => n.endsWith('.yaml')).sort()) {
    const path = join(root, folder, name)
    texts[`${folder}/${name}`] = readFileSync(path, 'utf8')
    files.push(path)
  }
  return { texts, files }
}

type Compile = (scenarios: LibraryTexts, profiles: LibraryTexts) => PrecompiledLibrary

/**
 * main/library/compile.ts (and the parser it uses) loaded through Vite's module runner, not imported by
 * this file: a config that imports the TypeScript sources would have Vite bundle them into the config.
 */
async function compiler(root: string): Promise<Compile> {
  const { module } = await runnerImport<{ compileLibrary: Compile }>(join(root, 'main/library/compile.ts'), { configFile: false, root, logLevel: 'silent' })
  return module.compileLibrary
}

/** `root`: the repository (the folder holding scenarios/). */
export function builtinLibrary(root: string): Plugin {
  return {
    name: 'daxlab:builtin-library',
    // Hook filters: the bundler calls these only for the library's id, not for every module.
    resolveId: {
      filter: { id: new RegExp(`^${BUILTIN_LIBRARY_MODULE}$`) },
      handler: () => resolvedId,
    },
    load: {
      filter: { id: new RegExp(`^\\0${BUILTIN_LIBRARY_MODULE}$`) },
      async handler() {
        const scenarios = readYamlFolder(root, 'scenarios')
        const profiles = readYamlFolder(root, 'scenarios/profiles')
        for (const file of [...scenarios.files, ...profiles.files]) this.addWatchFile(file)
        const library = (await compiler(root))(scenarios.texts, profiles.texts)
        // JSON text in a JSON.parse call: V8 reads it faster than the same data as an object literal.
        return `export default JSON.parse(${JSON.stringify(JSON.stringify(library))})\n`
      },
    },
  }
}
