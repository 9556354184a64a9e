/**
 * Arch plugin discovery: every folder under arch/ with an index.ts default-exporting an ArchPlugin is
 * a plugin, and its id must equal the folder name (Perfetto's plugin rule). Adding arch/s390/ needs no
 * edit here. The engine imports arch/, never the reverse.
 */
import type { ArchPlugin } from './api'
import { ArchError } from './entry'

export function collectPlugins(modules: Record<string, unknown>): Map<string, ArchPlugin> {
  const found = new Map<string, ArchPlugin>()
  for (const [path, mod] of Object.entries(modules)) {
    const folder = /\/([^/]+)\/index\.ts$/.exec(path)?.[1]
    const plugin = (mod as { default?: ArchPlugin }).default
    if (!folder || !plugin) throw new ArchError(`arch plugin ${path} has no default export`)
    if (plugin.id !== folder) throw new ArchError(`arch plugin in folder '${folder}' declares id '${plugin.id}'`)
    found.set(plugin.id, plugin)
  }
  return new Map([...found.entries()].sort(([a], [b]) => a.localeCompare(b)))
}

const plugins = collectPlugins(import.meta.glob('./*/index.ts', { eager: true }))

export function archIds(): string[] {
  return [...plugins.keys()]
}

export function allArchPlugins(): ArchPlugin[] {
  return [...plugins.values()]
}

export function getArch(id: string): ArchPlugin {
  const plugin = plugins.get(id)
  if (!plugin) throw new ArchError(`unknown arch '${id}' (one of: ${archIds().join(', ')})`)
  return plugin
}

export type { ArchPlugin } from './api'
