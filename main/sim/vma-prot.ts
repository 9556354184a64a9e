/**
 * Per-range protection of a lab mapping. The lab keeps one Vma per mmap id; where the kernel would
 * split it (__split_vma from mprotect_fixup or a partial munmap), the Vma carries ranges instead, each
 * with the protection that kernel VMA would have (vm_flags VM_READ/VM_WRITE), or `unmapped`.
 */
import type { Prot, ProtRange, Vma } from './mm'

/** The protection at addr (read-write where no range says otherwise). */
export function protAt(vma: Vma, addr: number): Prot | 'unmapped' {
  const ranges = vma.prot
  if (!ranges) return 'read-write'
  for (const r of ranges) if (addr >= r.start && addr < r.end) return r.prot
  return 'unmapped'
}

/** Sets [from, to) to prot, merging neighbours with the same protection (vma_merge). */
export function setProt(vma: Vma, from: number, to: number, prot: Prot | 'unmapped'): void {
  const ranges = vma.prot ?? [{ start: vma.start, end: vma.end, prot: 'read-write' as const }]
  const out: ProtRange[] = []
  for (const r of ranges) {
    if (r.end <= from || r.start >= to) {
      out.push(r)
      continue
    }
    if (r.start < from) out.push({ start: r.start, end: from, prot: r.prot })
    if (r.end > to) out.push({ start: to, end: r.end, prot: r.prot })
  }
  out.push({ start: from, end: to, prot })
  out.sort((a, b) => a.start - b.start)
  const merged: ProtRange[] = []
  for (const r of out) {
    const last = merged[merged.length - 1]
    if (last && last.end === r.start && last.prot === r.prot) merged[merged.length - 1] = { start: last.start, end: r.end, prot: r.prot }
    else merged.push(r)
  }
  vma.prot = merged.length === 1 && merged[0]!.prot === 'read-write' ? undefined : merged
}

/** Ranges overlapping [from, to), clipped to it. */
export function protRanges(vma: Vma, from: number, to: number): ProtRange[] {
  const ranges = vma.prot ?? [{ start: vma.start, end: vma.end, prot: 'read-write' as const }]
  return ranges.filter((r) => r.start < to && r.end > from).map((r) => ({ start: Math.max(r.start, from), end: Math.min(r.end, to), prot: r.prot }))
}

/** True when no part of the mapping is left (the last piece was munmapped). */
export function fullyUnmapped(vma: Vma): boolean {
  return vma.prot !== undefined && vma.prot.every((r) => r.prot === 'unmapped')
}

/** True when the mapping is one kernel VMA: a single protection over the whole range. */
export function uniform(vma: Vma): boolean {
  return vma.prot === undefined || vma.prot.length === 1
}

/** The protection a whole uniform mapping has. */
export function protOf(vma: Vma): Prot | 'unmapped' {
  return vma.prot?.[0]?.prot ?? 'read-write'
}

/**
 * The kernel VMA holding addr: the protection range around it, or the whole mapping when it is one
 * VMA. A huge fault must fit inside it (a PMD never crosses vm_start/vm_end).
 */
export function vmaSpan(vma: Vma, addr: number): { start: number; end: number } {
  if (!vma.prot) return vma
  return vma.prot.find((r) => addr >= r.start && addr < r.end) ?? { start: addr, end: addr }
}
