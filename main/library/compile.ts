/**
 * Precompiles the built-in library: every scenarios/*.yaml and scenarios/profiles/*.yaml parsed and
 * validated once, at build time, into JSON (docs/adr/0020-precompiled-library-and-sweep-threads.md).
 * The build plugin (scripts/builtin-library-plugin.ts) calls this on the files it reads and serves the
 * result as the module main/library/index.ts imports, so the CLI, the sweep workers, the app and the
 * web server never parse a built-in's YAML at run time. A built-in that does not validate fails the
 * build with the parser's own line-precise message. Pure: the caller reads the files.
 */
import { parseProfileText, parseScenarioText } from '../formats/load'

/** One built-in file: its name (file name without .yaml), path, source text and the parsed document as JSON. */
export interface PrecompiledEntry {
  readonly name: string
  /** Repository-relative path (`scenarios/fsdax-pin-unpin.yaml`), as error messages name it. */
  readonly file: string
  /** The YAML source: sessions and runs freeze it (by content hash) and `scenarios show` prints it. */
  readonly text: string
  /** The validated document as JSON; parsed per lookup, so every caller gets its own object. */
  readonly json: string
}

export interface PrecompiledLibrary {
  readonly scenarios: readonly PrecompiledEntry[]
  readonly profiles: readonly PrecompiledEntry[]
}

/** Source texts keyed by repository-relative path (`scenarios/x.yaml`). */
export type LibraryTexts = Readonly<Record<string, string>>

function nameOf(file: string): string {
  const m = /([^/]+)\.yaml$/.exec(file)
  if (!m) throw new Error(`built-in library: '${file}' is not a .yaml file`)
  return m[1]!
}

function compileAll(texts: LibraryTexts, parse: (text: string, file: string) => unknown): PrecompiledEntry[] {
  return Object.entries(texts)
    .map(([file, text]) => ({ name: nameOf(file), file, text, json: JSON.stringify(parse(text, file)) }))
    .sort((a, b) => a.name.localeCompare(b.name))
}

export function compileLibrary(scenarios: LibraryTexts, profiles: LibraryTexts): PrecompiledLibrary {
  return { scenarios: compileAll(scenarios, parseScenarioText), profiles: compileAll(profiles, parseProfileText) }
}
