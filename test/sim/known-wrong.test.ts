/**
 * The four behaviours issue 10 listed as wrong, each pinned against the kernel source it follows and,
 * where one exists, the real test-suite assertion it mirrors. Each runs on a legacy and a refcounted
 * kernel: none of these rules changed with the refcount series.
 */
import { describe, expect, it } from 'vitest'
import { probe, runBuiltin, step } from './helpers'

const KERNELS = ['6.14', '6.17'] as const

describe.each(KERNELS)('memory_failure signals only current (%s)', (kernel) => {
  // mm/memory-failure.c task_early_kill(): with MF_ACTION_REQUIRED, `current` when tsk->mm ==
  // current->mm, else find_early_kill_thread(). fstests xfs/550: the injector is sent SIGBUS
  // ("Sending SIGBUS to t_mmap_cow_memo"), the waiting reader is not.
  it('xfs/550: the injector dies, the reader is not collected and faults SIGBUS later', () => {
    const r = runBuiltin('fsdax-memory-failure-bystander', kernel)
    const inject = step(r, 5)
    expect(inject.signal).toBe('SIGBUS')
    expect(inject.notes).toContain('SIGBUS (BUS_MCEERR_AR) to injector')
    expect(inject.notes?.some((n) => n.startsWith('reader: not collected'))).toBe(true)
    expect(inject.notes?.some((n) => n.includes('to reader'))).toBe(false)
    // The reader still runs: another page works, the poisoned one (unmapped for everyone) SIGBUSes.
    expect(step(r, 7)).toMatchObject({ status: 'ok' })
    expect(step(r, 7).signal).toBeUndefined()
    expect(step(r, 8).signal).toBe('SIGBUS')
    expect(probe(r, 'poisoned')).toMatchObject({ mapcount: 0, entry: null })
  })
  it('a task that consumed the poison is current and is killed', () => {
    const r = runBuiltin('fsdax-memory-failure', kernel)
    expect(step(r, 3)).toMatchObject({ task: 'victim', signal: 'SIGBUS' })
    expect(step(r, 6).signal).toBe('SIGBUS')
  })
})

describe.each(KERNELS)('mlock of a private writable mapping (%s)', (kernel) => {
  // mm/gup.c populate_vma_page_range(): FOLL_WRITE when (vm_flags & (VM_WRITE|VM_SHARED)) == VM_WRITE.
  it('breaks COW for written blocks and holes; no DAX page and no zero page stays mapped', () => {
    const r = runBuiltin('fsdax-mlock-private', kernel)
    expect(step(r, 4).notes?.[0]).toContain('FOLL_WRITE')
    const written = probe(r, 'written')
    const hole = probe(r, 'hole')
    expect(written.region).toBeNull()
    expect(hole.region).toBeNull()
    expect(hole.pfn).not.toBe('0x1000') // the shared zero page
    // The DAX page lost its PTE (and, on 6.15+, the mapping's reference) to the anon copy.
    expect(probe(r, 'dax-page')).toMatchObject({ mapcount: 0, refcount: kernel === '6.14' ? 1 : 0 })
  })
  it('a shared mapping is still populated by read faults (the zero page over a hole)', () => {
    const r = runBuiltin('fsdax-zero-page', kernel)
    expect(probe(r, 'hole').pfn).toBe('0x1000')
  })
})

describe.each(KERNELS)('PMD fault over a poisoned block (%s)', (kernel) => {
  // fs/dax.c dax_fault_iter(): an error with pmd set returns VM_FAULT_FALLBACK; pmem's
  // __pmem_direct_access() fails a range holding a bad block with -EHWPOISON.
  it('falls back to PTEs; good pages map, only the poisoned page SIGBUSes', () => {
    const r = runBuiltin('fsdax-pmd-poison-fallback', kernel)
    expect(step(r, 3).notes).toContain('pmd: fallback (dax_iomap_direct_access: -EHWPOISON, a poisoned page in the PMD range)')
    expect(step(r, 3).signal).toBeUndefined()
    expect(probe(r, 'good')).toMatchObject({ level: 'pte', order: 0 })
    expect(step(r, 5).signal).toBeUndefined()
    expect(step(r, 6).signal).toBe('SIGBUS')
    // The next 2 MiB holds no bad block and still gets a PMD.
    expect(probe(r, 'next-pmd').level).toBe('pmd')
  })
})

describe.each(KERNELS)('write(2) over a poisoned block (%s)', (kernel) => {
  // fs/dax.c dax_iomap_iter() -> DAX_RECOVERY_WRITE; drivers/nvdimm/pmem.c pmem_recovery_write().
  it('a page-aligned write clears the poison; a partial one is EFAULT and leaves it', () => {
    const r = runBuiltin('fsdax-write-recovers-poison', kernel)
    expect(step(r, 2)).toMatchObject({ status: 'error', error: 'EFAULT' })
    expect(step(r, 4).signal).toBe('SIGBUS')
    expect(step(r, 5).status).toBe('ok')
    expect(step(r, 5).notes?.[0]).toContain('DAX_RECOVERY_WRITE')
    expect(step(r, 6).signal).toBeUndefined()
    expect(probe(r, 'recovered').level).toBe('pte')
  })
})
