/**
 * The TLB-flush fence against GUP-fast. GUP-fast walks the page tables with interrupts off
 * (mm/gup.c gup_fast: local_irq_save ... local_irq_restore). Where a TLB flush of another CPU is an
 * IPI that the flushing CPU waits for, the flush cannot complete while a GUP-fast walk of that mm is
 * in progress, so an unmap "fences" GUP-fast (J. Gunthorpe on the series: the legacy scheme relies
 * on unmap_mapping_pages() to fence GUP-fast). Where the flush is a hardware broadcast, there is no
 * such fence and only GUP-fast's own re-check of the entry protects it.
 *
 * - x86: arch/x86/mm/tlb.c flush_tlb_mm_range -> native_flush_tlb_multi -> on_each_cpu_cond_mask(...,
 *   wait = true): IPI, waited for.
 * - loongarch: arch/loongarch/kernel/smp.c flush_tlb_range -> on_each_cpu_mask(..., wait = 1): IPI.
 * - arm64: arch/arm64/include/asm/tlbflush.h __flush_tlb_range: TLBI ...IS broadcast, no IPI.
 * - powerpc: radix tlbie broadcast (arch/powerpc/mm/book3s64/radix_tlb.c); hash invalidates through
 *   tlbie as well: no IPI.
 * - riscv: arch/riscv/mm/tlbflush.c __flush_tlb_range: an SBI remote fence unless the platform has
 *   IPIs for rfence (riscv_use_ipi_for_rfence); the lab takes the SBI path (no fence).
 */
import type { Simulation } from '../sim/sim'
import type { OpContext } from './atomic'
import type { LockRequest } from './locks'

const IPI_FLUSH = new Set(['x86', 'loongarch'])

/** Whether this arch's TLB flush waits for an IPI every CPU running the mm handles. */
export function flushWaitsForIrqsOff(sim: Simulation): boolean {
  return IPI_FLUSH.has(sim.arch.plugin.id)
}

/** GUP-fast's interrupts-off section of one task (held from the first entry read to the walk's end). */
export const irqsOff = (task: string): LockRequest => ({ name: `irqs-off:${task}`, mode: 'read' })

/** A TLB flush step's wait: on IPI-flush arches, until no other task is inside a GUP-fast walk. */
export function flushCanComplete(ctx: OpContext): boolean {
  return !flushWaitsForIrqsOff(ctx.sim) || !ctx.locks.heldByOtherUnder(ctx.task.name, 'irqs-off:')
}
