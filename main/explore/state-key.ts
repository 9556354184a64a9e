/**
 * A canonical text of everything in the Simulation that can change what happens next or what the
 * outcome is: folio counts, pgmap references, page tables, DAX files and entries, GUP records, poison,
 * and the violation kinds seen so far. The explorer merges two schedules whose machine states (this
 * plus each task's position and locks) are equal: their futures are the same. The order of a file's
 * i_mmap (sim/i-mmap.ts) is left out: it orders a later walk's events and never changes a count.
 */
import { hex } from '../sim/folios'
import { gupRunCount, gupRunHead, gupRunPages, type GupRecord, type Simulation } from '../sim/sim'

export function simStateKey(sim: Simulation): string {
  const parts: string[] = []
  const f = sim.folios
  for (const folio of f.touched()) {
    parts.push(`f${hex(f.head[folio]!)}/${f.order[folio]}/${f.refcount[folio]}/${f.mapcount[folio]}/${f.pincount[folio]}/${f.gupRefs[folio]}`)
  }
  for (const r of sim.regions) if (r.pgmap) parts.push(`g${r.name}=${r.pgmap.refs}`)
  for (const task of [...sim.tasks.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    parts.push(`t${task.name}${task.exited ? '!' : ''}`)
    for (const vma of [...task.vmas.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      parts.push(`v${vma.id}:${vma.start}${vma.anonVma ? 'a' : ''}`)
      for (const level of ['pte', 'pmd', 'pud'] as const) {
        const leaves = [...vma.tables[level].values()].sort((a, b) => a.index - b.index)
        for (const l of leaves) parts.push(`${level}${l.index}=${hex(l.pfn)}${l.kind[0]}${l.write ? 'w' : ''}${l.dirty ? 'd' : ''}:${l.raw}`)
      }
    }
  }
  for (const fs of sim.filesystems) {
    parts.push(`m${fs.mount}${fs.mounted ? '' : '!'}:${fs.allocator.freePages()}`)
    for (const file of [...fs.files.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      parts.push(`F${file.path}:${file.size}:${file.mappings}${file.unlinked ? 'u' : ''}${file.evicted ? 'e' : ''}`)
      for (const e of file.extents) parts.push(`x${e.index}+${e.count}@${hex(e.pfn)}`)
      for (const e of [...file.entries.values()].sort((a, b) => a.index - b.index)) parts.push(`e${e.index}/${e.order}=${e.pfn === undefined ? 'z' : hex(e.pfn)}`)
    }
  }
  for (const [id, g] of [...sim.gups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) parts.push(`u${id}${g.released ? '!' : ''}:${gupRunsKey(g)}`)
  if (sim.poisoned.size > 0) parts.push(`p${[...sim.poisoned].sort((a, b) => a - b).map(hex).join('+')}`)
  parts.push(`V${[...new Set(sim.trace.violations.map((v) => v.kind))].sort().join('+')}`)
  return parts.join(' ')
}

/**
 * A GUP record's pages as text: `head*pages` per run, joined by `+`. Runs merge adjacent pages of one
 * folio always (pushHeads), so two records give the same text exactly when their one-head-per-page
 * lists are equal, as the per-page text this replaces did.
 */
export function gupRunsKey(record: GupRecord): string {
  let key = ''
  for (let r = 0; r < gupRunCount(record); r++) key += `${r === 0 ? '' : '+'}${hex(gupRunHead(record, r))}*${gupRunPages(record, r)}`
  return key
}
